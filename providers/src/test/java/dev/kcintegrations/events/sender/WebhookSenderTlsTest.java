package dev.kcintegrations.events.sender;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS of the sender, both ways. The sender connects to the address the SSRF check approved, but TLS still sees the
 * endpoint's host name (SNI and certificate check): an HTTPS receiver with its own certificate for
 * {@code webhooks.example}, reached on loopback through a resolver that answers for that name, is trusted; the same
 * receiver with a certificate for another name is not, whatever address it sits on. A receiver that demands a
 * client certificate (as SAP Concur's receivers do) gets the realm's, imported from a PKCS#12 key store; without it,
 * or with another, it refuses, and the reason says what was presented; a pooled connection never carries one
 * realm's certificate into another POST.
 */
// Waits out timeouts and handshakes against receivers of its own: it runs beside the other unit tests, not after them;
// the lock keeps its own methods one after another.
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("WebhookSenderTlsTest")
class WebhookSenderTlsTest {

    static final String PASSWORD = "changeit";
    static final byte[] BODY = "{\"id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static HttpsServer rightName;
    static HttpsServer wrongName;
    /** Demands a client certificate, and trusts only {@code concur}'s. */
    static HttpsServer demandsConcur;
    /** Asks for a client certificate, takes any of the two or none, and records which it got. */
    static HttpsServer asksForAny;
    static ClientIdentity concur;
    static ClientIdentity intruder;
    /** The subject of the client certificate each request of {@link #asksForAny} came with, or "none". */
    static final List<String> PRESENTED = new CopyOnWriteArrayList<>();
    static String previousTrustStore;
    static String previousTrustStorePassword;
    /** The names the receivers were asked for in the TLS handshake (SNI). */
    static final Set<String> SERVER_NAMES = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void receiversWithTheirOwnCertificates() throws Exception {
        keytool("-genkeypair", "-alias", "right", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=webhooks.example",
                "-ext", "SAN=dns:webhooks.example", "-validity", "2", "-keystore", dir.resolve("right.p12").toString(), "-storepass", PASSWORD);
        keytool("-genkeypair", "-alias", "wrong", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=other.example",
                "-ext", "SAN=dns:other.example", "-validity", "2", "-keystore", dir.resolve("wrong.p12").toString(), "-storepass", PASSWORD);
        // The receivers' certificates are trusted as a receiver's CA-signed one would be: through the JVM's trust store.
        for (String alias : List.of("right", "wrong")) {
            keytool("-exportcert", "-alias", alias, "-keystore", dir.resolve(alias + ".p12").toString(), "-storepass", PASSWORD,
                    "-file", dir.resolve(alias + ".cer").toString());
            keytool("-importcert", "-noprompt", "-alias", alias, "-file", dir.resolve(alias + ".cer").toString(),
                    "-keystore", dir.resolve("trust.p12").toString(), "-storepass", PASSWORD);
        }
        previousTrustStore = System.setProperty("javax.net.ssl.trustStore", dir.resolve("trust.p12").toString());
        previousTrustStorePassword = System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
        rightName = https(dir.resolve("right.p12"));
        wrongName = https(dir.resolve("wrong.p12"));
        concur = clientIdentity("concur", "CN=webhook.api.concursolutions.com, O=Example Enterprise");
        intruder = clientIdentity("intruder", "CN=intruder.example");
        demandsConcur = https(dir.resolve("right.p12"), true, List.of("concur"));
        asksForAny = https(dir.resolve("right.p12"), false, List.of("concur", "intruder"));
    }

    /** A key pair and self-signed certificate made by keytool, imported as an administrator imports a PKCS#12 key store. */
    static ClientIdentity clientIdentity(String alias, String subject) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", subject, "-validity", "2",
                "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", alias, "-keystore", store.toString(), "-storepass", PASSWORD, "-file", dir.resolve(alias + ".cer").toString());
        long now = System.currentTimeMillis();
        return RealmClientCertificates.identity(RealmClientCertificates.imported("realm", Files.readAllBytes(store),
                PASSWORD.toCharArray(), now, now));
    }

    @AfterAll
    static void stop() {
        rightName.stop(0);
        wrongName.stop(0);
        demandsConcur.stop(0);
        asksForAny.stop(0);
        restore("javax.net.ssl.trustStore", previousTrustStore);
        restore("javax.net.ssl.trustStorePassword", previousTrustStorePassword);
    }

    @Test
    void receiverWithACertificateForTheEndpointsNameIsTrustedOnThePinnedAddress() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), "https://webhooks.example:" + rightName.getAddress().getPort() + "/hook",
                    BodyFormat.ESS, BODY, Map.of(), null);
            assertTrue(result.successful(), result.toString());
            assertEquals(Set.of("webhooks.example"), SERVER_NAMES, "the handshake named the endpoint's host (SNI)");
        }
    }

    @Test
    void receiverWithACertificateForAnotherNameIsRefused() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), "https://webhooks.example:" + wrongName.getAddress().getPort() + "/hook",
                    BodyFormat.ESS, BODY, Map.of(), null);
            assertFalse(result.successful(), result.toString());
            assertTrue(result.error().contains("webhooks.example"), "the certificate is checked against the endpoint's name: " + result);
        }
    }

    @Test
    void aReceiverThatDemandsTheRealmsCertificateAcceptsThePost() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), endpoint(demandsConcur), BodyFormat.ESS, BODY, Map.of(), concur);
            assertTrue(result.successful(), result.toString());
        }
    }

    @Test
    void withoutACertificateTheReceiverRefusesAndTheReasonSaysNoneWasPresented() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), endpoint(demandsConcur), BodyFormat.ESS, BODY, Map.of(), null);
            assertFalse(result.successful(), result.toString());
            assertTrue(result.error().startsWith("TLS connection refused or dropped by the receiver (")
                    && result.error().endsWith("; presented no client certificate"),
                    result.error());
        }
    }

    @Test
    void withAnotherCertificateTheReceiverRefusesAndTheReasonNamesIt() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), endpoint(demandsConcur), BodyFormat.ESS, BODY, Map.of(), intruder);
            assertFalse(result.successful(), result.toString());
            assertTrue(result.error().startsWith("TLS connection refused or dropped by the receiver (")
                    && result.error().endsWith("; presented client certificate CN=intruder.example"),
                    result.error());
        }
    }

    /**
     * One sender, one receiver, POSTs of two realms and of one without a certificate in turn: each arrives with its
     * own. A kept-alive connection made with one certificate and reused for the next POST would show the first.
     */
    @Test
    void aPooledConnectionIsReusedOnlyForAPostThatPresentsTheSameCertificate() throws Exception {
        PRESENTED.clear();
        List<ClientIdentity> turns = Arrays.asList(concur, null, intruder, concur, null, intruder);
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            for (ClientIdentity identity : turns) {
                SendResult result = sender.send(resolvingToLoopback(), endpoint(asksForAny), BodyFormat.ESS, BODY, Map.of(), identity);
                assertTrue(result.successful(), result.toString());
            }
        }
        assertEquals(turns.stream().map(identity -> identity == null ? "none" : identity.subject()).toList(), PRESENTED);
    }

    static String endpoint(HttpsServer server) {
        return "https://webhooks.example:" + server.getAddress().getPort() + "/hook";
    }

    static WebhookTargetPolicy resolvingToLoopback() {
        return new WebhookTargetPolicy(List.of("webhooks.example"), host -> new InetAddress[]{InetAddress.getLoopbackAddress()});
    }

    static HttpsServer https(Path keyStore) throws Exception {
        return https(keyStore, null, List.of());
    }

    /**
     * @param demand        true: a client certificate is required; false: asked for; null: not asked for
     * @param trustedClients the aliases whose exported certificates ({@code alias.cer}) it accepts from clients
     */
    static HttpsServer https(Path keyStore, Boolean demand, List<String> trustedClients) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile())) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        KeyStore clients = KeyStore.getInstance("PKCS12");
        clients.load(null, null);
        for (String alias : trustedClients) {
            try (InputStream in = new FileInputStream(dir.resolve(alias + ".cer").toFile())) {
                clients.setCertificateEntry(alias, CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(clients);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), trustedClients.isEmpty() ? null : trust.getTrustManagers(), null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = tls.getDefaultSSLParameters();
                if (Boolean.TRUE.equals(demand)) {
                    parameters.setNeedClientAuth(true); // each setter clears the other: one call
                } else if (Boolean.FALSE.equals(demand)) {
                    parameters.setWantClientAuth(true);
                }
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", exchange -> {
            if (((HttpsExchange) exchange).getSSLSession() instanceof ExtendedSSLSession handshake) {
                handshake.getRequestedServerNames().forEach(name -> SERVER_NAMES.add(((SNIHostName) name).getAsciiName()));
                if (demand != null) {
                    PRESENTED.add(subjectOf(handshake));
                }
            }
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "keytool " + String.join(" ", args) + ": " + output);
    }

    private static String subjectOf(ExtendedSSLSession handshake) {
        try {
            return ((X509Certificate) handshake.getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName(X500Principal.RFC2253);
        } catch (SSLPeerUnverifiedException none) {
            return "none";
        }
    }

    static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }
}
