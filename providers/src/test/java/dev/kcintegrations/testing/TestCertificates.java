package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} in a PKCS#12 key store, made once per
 * build by the JDK's {@code keytool}: test servers listen on HTTPS with it (browsers in the tests are told to
 * accept it), because pages that embed plugins work over HTTPS, as they are deployed.
 */
public final class TestCertificates {

    public static final String PASSWORD = "test-only-keystore";
    private static final Path STORE = Path.of("target/tls/localhost.p12").toAbsolutePath();

    private TestCertificates() {
    }

    /** A TLS context serving that certificate, for the tests' own HTTPS servers (another site's host page). */
    public static SSLContext sslContext() {
        try (InputStream in = Files.newInputStream(keyStore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The same certificate alone, in PEM: test servers trust it ({@code --truststore-paths}), so webhooks reach the
     * tests' HTTPS receivers, which serve it, as a receiver with a CA-signed certificate is reached.
     */
    public static synchronized Path certificatePem() {
        Path pem = STORE.resolveSibling("localhost.pem");
        if (Files.exists(pem)) {
            return pem;
        }
        try (InputStream in = Files.newInputStream(keyStore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            byte[] der = store.getCertificate("localhost").getEncoded();
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n");
            return pem;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static synchronized Path keyStore() {
        if (Files.exists(STORE)) {
            return STORE;
        }
        try {
            Files.createDirectories(STORE.getParent());
            Process keytool = new ProcessBuilder(List.of(Jdk.find().resolve("bin/keytool").toString(), "-genkeypair",
                    "-alias", "localhost", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", STORE.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD)).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes());
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            return STORE;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
