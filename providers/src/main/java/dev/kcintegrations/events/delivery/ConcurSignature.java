package dev.kcintegrations.events.delivery;

import org.keycloak.crypto.SignatureProvider;
import org.keycloak.jose.jws.JWSBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The {@code Concur-Signature} header: a JWS with detached payload (RFC 7515 appendix F) over the exact
 * body bytes, signed with the realm's active key for its default signature algorithm, so a receiver needs
 * only the realm's JWKS. Form: {@code <base64url protected header>..<base64url signature>}; the header
 * carries {@code alg} and {@code kid}. To verify, put {@code base64url(body)} between the two dots and
 * verify the compact JWS.
 */
public final class ConcurSignature {

    public static final String HEADER = "Concur-Signature";

    private ConcurSignature() {
    }

    public static String sign(KeycloakSession session, RealmModel realm, byte[] body) {
        String algorithm = realm.getDefaultSignatureAlgorithm() == null ? "RS256" : realm.getDefaultSignatureAlgorithm();
        if (session.getContext().getRealm() == null) {
            session.getContext().setRealm(realm); // the key lookup reads the realm from the session's context
        }
        SignatureProvider provider = session.getProvider(SignatureProvider.class, algorithm);
        String compact = new JWSBuilder().type("JOSE").content(body).sign(provider.signer());
        int first = compact.indexOf('.');
        int last = compact.lastIndexOf('.');
        return compact.substring(0, first) + ".." + compact.substring(last + 1);
    }
}
