package dev.kcintegrations.events.delivery;

import org.keycloak.crypto.AsymmetricSignatureSignerContext;
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
        String compact = new JWSBuilder().type(TYPE).content(body)
                .sign(new AsymmetricSignatureSignerContext(WebhookSigningKey.active(session, realm)));
        int first = compact.indexOf('.');
        int last = compact.lastIndexOf('.');
        return compact.substring(0, first) + ".." + compact.substring(last + 1);
    }
}
