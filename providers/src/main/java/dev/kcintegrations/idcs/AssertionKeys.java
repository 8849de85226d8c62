package dev.kcintegrations.idcs;

import org.keycloak.common.util.Base64Url;
import org.keycloak.crypto.AsymmetricSignatureVerifierContext;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.keys.PublicKeyStorageProvider;
import org.keycloak.keys.PublicKeyStorageUtils;
import org.keycloak.keys.loader.ClientPublicKeyLoader;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.util.JsonSerialization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The client's own signing keys, as Keycloak loads them for signed-JWT client authentication (the certificate on
 * the Keys tab, a JWKS, or a JWKS URL), found the way IDCS finds a trusted client's certificate: by {@code kid}
 * (IDCS's certificate alias; in Keycloak the key id stored with the certificate) or by {@code x5t}, the
 * base64url SHA-1 thumbprint of the certificate. Either one that matches will do, since Oracle's samples send both.
 */
final class AssertionKeys {

    private AssertionKeys() {
    }

    static Optional<KeyWrapper> find(KeycloakSession session, ClientModel client, JWSInput jws) {
        String kid = jws.getHeader().getKeyId();
        String x5t = thumbprintNamedIn(jws);
        if (kid == null && x5t == null) {
            return Optional.empty();
        }
        // Keycloak's cache of client keys, as for signed-JWT client authentication (a JWKS URL is not fetched per request).
        PublicKeyStorageProvider keys = session.getProvider(PublicKeyStorageProvider.class);
        String modelKey = PublicKeyStorageUtils.getClientModelCacheKey(client.getRealm().getId(), client.getId());
        return Optional.ofNullable(keys.getFirstPublicKey(modelKey,
                key -> kid != null && kid.equals(key.getKid()) || x5t != null && x5t.equals(thumbprint(key)),
                new ClientPublicKeyLoader(session, client)));
    }

    /**
     * Whether the assertion's signature verifies with this key, under the algorithm its header names, which must be
     * the key's own when the key has one (a certificate on the Keys tab has none: any of its type's algorithms).
     */
    static boolean verifies(KeyWrapper key, JWSInput jws) {
        String algorithm = jws.getHeader().getRawAlgorithm();
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(algorithm)) {
            return false;
        }
        KeyWrapper withAlgorithm = key.cloneKey();
        withAlgorithm.setAlgorithm(algorithm);
        try {
            return new AsymmetricSignatureVerifierContext(withAlgorithm)
                    .verify(jws.getEncodedSignatureInput().getBytes(StandardCharsets.UTF_8), jws.getSignature());
        } catch (Exception unverifiable) {
            return false;
        }
    }

    /** Keycloak's {@code JWSHeader} does not read {@code x5t}; the header is read again for it. */
    static String thumbprintNamedIn(JWSInput jws) {
        try {
            JsonNode x5t = JsonSerialization.mapper.readTree(Base64Url.decode(jws.getEncodedHeader())).get("x5t");
            return x5t != null && x5t.isTextual() ? x5t.asText() : null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private static String thumbprint(KeyWrapper key) {
        X509Certificate certificate = key.getCertificate();
        if (certificate == null) {
            return null;
        }
        try {
            return Base64Url.encode(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return null;
        }
    }
}
