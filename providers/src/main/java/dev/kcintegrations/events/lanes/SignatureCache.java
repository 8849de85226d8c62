package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.sender.ConcurSignature;
import org.keycloak.crypto.KeyWrapper;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Signs each body once per key: every subscription of a topic gets the same body for an event, so one
 * RS256 {@code Concur-Signature} serves them all. Signing runs on a small pool of its own, so a lane signs
 * the rows it has read while the previous one is on the wire. The newest {@value #ENTRIES} signatures are
 * kept; a miss only costs a signature again.
 */
final class SignatureCache implements AutoCloseable {

    static final int ENTRIES = 4096;

    private final ExecutorService signers = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
            Thread.ofPlatform().name("kci-webhook-signer-", 0).daemon(true).factory());
    private final Map<String, CompletableFuture<String>> signatures = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<String>> eldest) {
            return size() > ENTRIES;
        }
    };

    CompletableFuture<String> signature(KeyWrapper key, byte[] body) {
        String name = key.getKid() + ":" + digest(body);
        CompletableFuture<String> signature;
        synchronized (signatures) {
            signature = signatures.get(name);
            if (signature != null) {
                return signature;
            }
            signature = CompletableFuture.supplyAsync(() -> ConcurSignature.sign(key, body), signers);
            signatures.put(name, signature);
        }
        CompletableFuture<String> cached = signature;
        signature.whenComplete((value, failure) -> {
            if (failure != null) {
                synchronized (signatures) {
                    signatures.remove(name, cached);
                }
            }
        });
        return signature;
    }

    private static String digest(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        signers.shutdownNow();
    }
}
