package dev.kcintegrations.events.sender;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one private key of a PKCS#12 key store an administrator imports, with its certificate chain: read with the
 * password given, and refused ({@link RealmClientCertificates.Refused}, a 400) unless the store holds exactly one key
 * entry whose first certificate is X.509, is the key's own, and whose chain is short.
 */
record Pkcs12KeyEntry(PrivateKey key, X509Certificate[] chain) {

    static Pkcs12KeyEntry read(byte[] pkcs12, char[] password, int maxChain) {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pkcs12), password);
        } catch (IOException | GeneralSecurityException | RuntimeException e) { // malformed DER throws unchecked too
            throw new RealmClientCertificates.Refused("pkcs12 could not be read with that password");
        }
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw new RealmClientCertificates.Refused("pkcs12 must hold exactly one private key with its certificate; it holds " + keys.size());
            }
            if (!(store.getKey(keys.get(0), password) instanceof PrivateKey key)) {
                throw new RealmClientCertificates.Refused("pkcs12's key entry is not a private key");
            }
            Certificate[] chain = store.getCertificateChain(keys.get(0));
            if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
                throw new RealmClientCertificates.Refused("pkcs12's key entry has no X.509 certificate");
            }
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                x509[i] = (X509Certificate) chain[i];
            }
            if (!matches(key, x509[0])) {
                throw new RealmClientCertificates.Refused("pkcs12's certificate is not the private key's");
            }
            if (x509.length > maxChain) {
                throw new RealmClientCertificates.Refused("pkcs12's chain has " + x509.length + " certificates; at most " + maxChain);
            }
            return new Pkcs12KeyEntry(key, x509);
        } catch (GeneralSecurityException e) {
            throw new RealmClientCertificates.Refused("pkcs12's key could not be read with that password");
        }
    }

    /** Whether the certificate is the key's: a signature made with the key verifies with the certificate's public key. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = "kc-integrations client certificate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
