package dev.kcintegrations.callout;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;

/**
 * Keycloak's {@link TokenManager}, remembering the access token it builds so that the answer can say the
 * lifetime its administrator configured. Keycloak's own {@code expires_in} is {@code exp - now} and reads one
 * second short whenever a second boundary passes while the token is built; {@code exp - iat} reads one second
 * over in the same case, as Keycloak takes {@code iat} from one clock reading and {@code exp} from a later one.
 * A callout client compares the figure with what its administrator configured, so the answer says that
 * lifespan, or less when the session cut the token short. Cheaper than parsing the signed token again.
 */
final class LifetimeRecordingTokenManager extends TokenManager {

    /** Keycloak's value of a lifespan that is the session's (no lifespan of its own). */
    private static final int SESSIONS_LIFESPAN = -1;

    private AccessToken issued;
    private int configured = SESSIONS_LIFESPAN;

    @Override
    public AccessToken createClientAccessToken(KeycloakSession session, RealmModel realm, ClientModel client, UserModel user,
                                               UserSessionModel userSession, ClientSessionContext clientSessionCtx,
                                               boolean isOffline) {
        issued = super.createClientAccessToken(session, realm, client, user, userSession, clientSessionCtx, isOffline);
        configured = configuredLifespan(realm, client);
        return issued;
    }

    /** @return the lifetime of the token built (see {@link #lifetime(long, long, int)}), or {@code fallback} if none was */
    long lifetime(long fallback) {
        return issued == null || issued.getExp() == null || issued.getIat() == null
                ? fallback
                : lifetime(issued.getIat(), issued.getExp(), configured);
    }

    /**
     * {@code exp - iat}, never over the {@code configured} lifespan ({@code -1}: the session's, no cap): the one
     * second a clock tick adds between Keycloak's two readings is not promised to the client.
     */
    static long lifetime(long iat, long exp, int configured) {
        long lifetime = exp - iat;
        return configured == SESSIONS_LIFESPAN ? lifetime : Math.min(lifetime, configured);
    }

    /** The client's access token lifespan, else the realm's: the choice Keycloak makes for a client credentials grant. */
    private static int configuredLifespan(RealmModel realm, ClientModel client) {
        String own = client.getAttribute(OIDCConfigAttributes.ACCESS_TOKEN_LIFESPAN);
        return own == null || own.isBlank() ? realm.getAccessTokenLifespan() : Integer.parseInt(own.trim());
    }
}
