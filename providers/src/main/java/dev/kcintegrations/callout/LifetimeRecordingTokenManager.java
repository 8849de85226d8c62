package dev.kcintegrations.callout;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;

/**
 * Keycloak's {@link TokenManager}, remembering the access token it builds so that the answer can say the
 * token's lifetime ({@code exp - iat}). Keycloak's own {@code expires_in} is {@code exp - now} and reads
 * one second short whenever a second boundary passes while the token is built; a callout client compares
 * it with what its administrator configured. Cheaper than parsing the signed token again.
 */
final class LifetimeRecordingTokenManager extends TokenManager {

    private AccessToken issued;

    @Override
    public AccessToken createClientAccessToken(KeycloakSession session, RealmModel realm, ClientModel client, UserModel user,
                                               UserSessionModel userSession, ClientSessionContext clientSessionCtx,
                                               boolean isOffline) {
        issued = super.createClientAccessToken(session, realm, client, user, userSession, clientSessionCtx, isOffline);
        return issued;
    }

    /** @return {@code exp - iat} of the token built, or {@code fallback} if none was */
    long lifetime(long fallback) {
        return issued == null || issued.getExp() == null || issued.getIat() == null
                ? fallback
                : issued.getExp() - issued.getIat();
    }
}
