package dev.kcintegrations.events.sender;

import org.keycloak.crypto.AsymmetricSignatureSignerContext;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.jose.jws.JWSBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The {@code Concur-Signature} header: a JWS with detached payload (RFC 7515 appendix F) over the exact
 * body bytes, signed with the realm's webhook signing key ({@link WebhookSigningKey}), never with a token
 * key. Form: {@code <base64url protected header>..<base64url signature>}; the header carries {@code alg},
 * {@code kid} and {@code typ} {@value #TYPE}. To verify, put {@code base64url(body)} between the two dots
 * and verify the compact JWS with the key of that {@code kid} from {@code /realms/{realm}/events/v4/jwks}.
 */
public final class ConcurSignature {

    public static final String HEADER = "Concur-Signature";
    /** Names what is signed, so the JWS cannot be mistaken for (or accepted as) a JWT. */
    public static final String TYPE = "kci-webhook+jws";

    private ConcurSignature() {
    }

    public static String sign(KeycloakSession session, RealmModel realm, byte[] body) {
        return sign(activeKey(session, realm), body);
    }

    /** The key that signs the realm's deliveries now (read through a short cache, created on first use). */
    public static KeyWrapper activeKey(KeycloakSession session, RealmModel realm) {
        return WebhookSigningKey.active(session, realm);
    }

    /** Signs with a key read before: needs no session, so it can run outside any transaction. */
    public static String sign(KeyWrapper key, byte[] body) {
        String compact = new JWSBuilder().type(TYPE).content(body).sign(new AsymmetricSignatureSignerContext(key));
        int first = compact.indexOf('.');
        int last = compact.lastIndexOf('.');
        return compact.substring(0, first) + ".." + compact.substring(last + 1);
    }
}
