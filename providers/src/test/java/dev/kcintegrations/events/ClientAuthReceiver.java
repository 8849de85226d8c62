package dev.kcintegrations.events;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.kcintegrations.testing.TestCertificates;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * A receiver built as SAP Concur's receivers are: HTTPS that accepts a connection only from a client certificate
 * it pinned (the ones it downloaded from the realm) whose subject has the expected common name; anything else ends
 * in the TLS handshake. Serves the tests' localhost certificate, which the test servers trust.
 */
final class ClientAuthReceiver implements AutoCloseable {

    /** One POST: the subject of the certificate it came with, its body, and when it came (epoch ms). */
    record Arrival(String subject, String body, long at) {
    }

    private final HttpsServer server;
    private final String commonName;
    private volatile Set<X509Certificate> pinned = Set.of();
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    private ClientAuthReceiver(String commonName) throws IOException, GeneralSecurityException {
        this.commonName = commonName;
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(TestCertificates.keyStore())) {
            keys.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, TestCertificates.PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), new TrustManager[]{new Pinned()}, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = tls.getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            arrivals.add(new Arrival(subject((HttpsExchange) exchange), body, System.currentTimeMillis()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** @param commonName the CN a client certificate must have besides being pinned */
    static ClientAuthReceiver start(String commonName) {
        try {
            return new ClientAuthReceiver(commonName);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pins exactly these certificates (PEM), as a receiver does with what the realm publishes. */
    void pin(List<String> pems) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Set<X509Certificate> certificates = new HashSet<>();
            for (String pem : pems) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
            }
            pinned = Set.copyOf(certificates);
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    URI url(String path) {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    private static String subject(HttpsExchange exchange) {
        try {
            return ((X509Certificate) exchange.getSSLSession().getPeerCertificates()[0]).getSubjectX500Principal().getName(X500Principal.RFC2253);
        } catch (SSLPeerUnverifiedException e) {
            return "none"; // cannot happen: the handshake demanded one
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The receiver's whole rule: a pinned certificate with the expected common name, or no connection. */
    private final class Pinned implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no client certificate");
            }
            if (!pinned.contains(chain[0])) {
                throw new CertificateException("client certificate not pinned: " + chain[0].getSubjectX500Principal());
            }
            String subject = chain[0].getSubjectX500Principal().getName(X500Principal.RFC2253);
            if (!subject.equals("CN=" + commonName) && !subject.startsWith("CN=" + commonName + ",")) {
                throw new CertificateException("client certificate for another name: " + chain[0].getSubjectX500Principal());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a receiver checks clients only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pinned.toArray(X509Certificate[]::new);
        }
    }
}
