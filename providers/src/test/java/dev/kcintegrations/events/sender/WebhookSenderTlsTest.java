package dev.kcintegrations.events.sender;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sender connects to the address the SSRF check approved, but TLS still sees the endpoint's host name
 * (SNI and certificate check): an HTTPS receiver with its own certificate for {@code webhooks.example},
 * reached on loopback through a resolver that answers for that name, is trusted; the same receiver with a
 * certificate for another name is not, whatever address it sits on.
 */
class WebhookSenderTlsTest {

    static final String PASSWORD = "changeit";
    static final byte[] BODY = "{\"id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static HttpsServer rightName;
    static HttpsServer wrongName;
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
    }

    @AfterAll
    static void stop() {
        rightName.stop(0);
        wrongName.stop(0);
        restore("javax.net.ssl.trustStore", previousTrustStore);
        restore("javax.net.ssl.trustStorePassword", previousTrustStorePassword);
    }

    @Test
    void receiverWithACertificateForTheEndpointsNameIsTrustedOnThePinnedAddress() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), "https://webhooks.example:" + rightName.getAddress().getPort() + "/hook",
                    BodyFormat.ESS, BODY, Map.of());
            assertTrue(result.successful(), result.toString());
            assertEquals(Set.of("webhooks.example"), SERVER_NAMES, "the handshake named the endpoint's host (SNI)");
        }
    }

    @Test
    void receiverWithACertificateForAnotherNameIsRefused() throws Exception {
        try (WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 2)) {
            SendResult result = sender.send(resolvingToLoopback(), "https://webhooks.example:" + wrongName.getAddress().getPort() + "/hook",
                    BodyFormat.ESS, BODY, Map.of());
            assertFalse(result.successful(), result.toString());
            assertTrue(result.error().contains("webhooks.example"), "the certificate is checked against the endpoint's name: " + result);
        }
    }

    static WebhookTargetPolicy resolvingToLoopback() {
        return new WebhookTargetPolicy(List.of("webhooks.example"), host -> new InetAddress[]{InetAddress.getLoopbackAddress()});
    }

    static HttpsServer https(Path keyStore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile())) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            if (((HttpsExchange) exchange).getSSLSession() instanceof ExtendedSSLSession handshake) {
                handshake.getRequestedServerNames().forEach(name -> SERVER_NAMES.add(((SNIHostName) name).getAsciiName()));
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

    static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }
}
