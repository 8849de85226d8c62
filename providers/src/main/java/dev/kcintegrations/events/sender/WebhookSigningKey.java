package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.store.SigningKeyEntity;
import dev.kcintegrations.events.store.SigningKeys;
import org.keycloak.crypto.KeyType;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.jose.jwk.JSONWebKeySet;
import org.keycloak.jose.jwk.JWK;
import org.keycloak.jose.jwk.JWKBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The realm's webhook signing key: RS256, its own key (never one of the realm's token keys, so a signed
 * body a subscriber partly chose can never be taken for a token), published at
 * {@code /realms/{realm}/events/v4/jwks} and absent from the realm's {@code certs}. Made on first use;
 * rotated by housekeeping after {@code signing-key-lifetime} (which makes the successor, so no capture waits for one); a retired key stays published for
 * {@code signing-key-overlap}, so receivers that cache the JWKS keep verifying.
 */
public final class WebhookSigningKey {

    public static final String ALGORITHM = "RS256";
    private static final long CACHE_MILLIS = 10_000;
    private static final Map<String, Cached> ACTIVE = new ConcurrentHashMap<>();

    private record Cached(KeyWrapper key, long loadedAt) {
    }

    private WebhookSigningKey() {
    }

    /** The key that signs now; read from the database at most every few seconds per realm and node. */
    static KeyWrapper active(KeycloakSession session, RealmModel realm) {
        long now = System.currentTimeMillis();
        Cached cached = ACTIVE.get(realm.getId());
        if (cached != null && now - cached.loadedAt() < CACHE_MILLIS) {
            return cached.key();
        }
        SigningKeys keys = new SigningKeys(session);
        SigningKeyEntity entity = keys.active(realm.getId()).orElseGet(() -> keys.generate(realm.getId(), now));
        KeyWrapper key = wrap(entity);
        ACTIVE.put(realm.getId(), new Cached(key, now));
        return key;
    }

    /** Every published key of the realm, the signing one first. */
    public static JSONWebKeySet jwks(KeycloakSession session, RealmModel realm) {
        active(session, realm); // a realm that never signed still publishes the key it will sign with
        JSONWebKeySet set = new JSONWebKeySet();
        set.setKeys(new SigningKeys(session).ofRealm(realm.getId()).stream()
                .map(entity -> JWKBuilder.create().kid(entity.getKid()).algorithm(ALGORITHM)
                        .rsa((RSAPublicKey) publicKey(entity), KeyUse.SIG))
                .toArray(JWK[]::new));
        return set;
    }

    private static KeyWrapper wrap(SigningKeyEntity entity) {
        KeyWrapper key = new KeyWrapper();
        key.setKid(entity.getKid());
        key.setAlgorithm(ALGORITHM);
        key.setType(KeyType.RSA);
        key.setUse(KeyUse.SIG);
        key.setPublicKey(publicKey(entity));
        key.setPrivateKey(privateKey(entity));
        return key;
    }

    private static PublicKey publicKey(SigningKeyEntity entity) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(entity.getPublicKey())));
        } catch (Exception e) {
            throw new IllegalStateException("Unreadable webhook signing key " + entity.getKid(), e);
        }
    }

    private static PrivateKey privateKey(SigningKeyEntity entity) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(entity.getPrivateKey())));
        } catch (Exception e) {
            throw new IllegalStateException("Unreadable webhook signing key " + entity.getKid(), e);
        }
    }

    /** After a rotation, sign with the new key at once on this node. */
    public static void forget() {
        ACTIVE.clear();
    }
}
