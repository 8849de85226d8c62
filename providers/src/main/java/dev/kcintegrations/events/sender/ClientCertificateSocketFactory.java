package dev.kcintegrations.events.sender;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.LayeredConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * HTTPS for webhook POSTs, presenting the client certificate the request's context names ({@link #IDENTITY}), or
 * none. Server certificates are checked as everywhere else: the JVM's trust store (Keycloak's
 * {@code truststore-paths}) and the host name.
 */
final class ClientCertificateSocketFactory implements LayeredConnectionSocketFactory {

    /** The context attribute that holds the request's {@link ClientIdentity}; absent: present no certificate. */
    static final String IDENTITY = "kci.webhook.client-identity";

    private final SSLConnectionSocketFactory withoutCertificate = SSLConnectionSocketFactory.getSocketFactory();
    private final Cache<ClientIdentity, SSLConnectionSocketFactory> withCertificate = Caffeine.newBuilder().maximumSize(1_000).build();

    private LayeredConnectionSocketFactory factory(HttpContext context) {
        Object identity = context == null ? null : context.getAttribute(IDENTITY);
        if (!(identity instanceof ClientIdentity presented)) {
            return withoutCertificate;
        }
        return withCertificate.get(presented, ClientCertificateSocketFactory::presenting);
    }

    private static SSLConnectionSocketFactory presenting(ClientIdentity identity) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[]{new OneCertificate(identity)}, null, null); // null: the JVM's trust managers
            return new SSLConnectionSocketFactory(tls, SSLConnectionSocketFactory.getDefaultHostnameVerifier());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Socket createSocket(HttpContext context) throws IOException {
        return factory(context).createSocket(context);
    }

    @Override
    public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
                                InetSocketAddress localAddress, HttpContext context) throws IOException {
        return factory(context).connectSocket(connectTimeout, socket, host, remoteAddress, localAddress, context);
    }

    @Override
    public Socket createLayeredSocket(Socket socket, String target, int port, HttpContext context) throws IOException {
        return factory(context).createLayeredSocket(socket, target, port, context);
    }

    /**
     * Presents the realm's certificate whenever the receiver asks for one, whatever issuers it names: which one is
     * acceptable is the receiver's decision, and a refusal it states says more in the attempt log than a certificate
     * we silently kept back.
     */
    private static final class OneCertificate extends X509ExtendedKeyManager {

        private static final String ALIAS = "webhook-client";
        private final ClientIdentity identity;

        OneCertificate(ClientIdentity identity) {
            this.identity = identity;
        }

        private String alias(String[] keyTypes) {
            String algorithm = identity.key().getAlgorithm();
            return keyTypes == null || Arrays.stream(keyTypes).anyMatch(algorithm::equalsIgnoreCase) ? ALIAS : null;
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return alias(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return alias(keyTypes);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return alias(new String[]{keyType}) == null ? null : new String[]{ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? identity.chain().clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? identity.key() : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
