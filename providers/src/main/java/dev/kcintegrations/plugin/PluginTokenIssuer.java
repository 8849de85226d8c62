package dev.kcintegrations.plugin;

import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.SessionExpirationUtils;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.util.DefaultClientSessionContext;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Issues the plugin's scope-bound token with Keycloak's own {@link TokenManager}: for the signed-in user
 * (user assertion: {@code sub} is the user), from the plugin client's existing client session in the
 * user's session (so {@code sid} binds it and a logout ends it), with exactly the requested URN client
 * scopes (their mapper sets {@code aud}) plus {@code basic} for {@code sub}. Nothing is stored: the user's
 * own client session and its scopes stay as they are.
 */
final class PluginTokenIssuer {

    private static final String BASIC_SCOPE = "basic";

    private PluginTokenIssuer() {
    }

    /** @return the signed token; it expires after {@code lifespanSeconds}, never after the user's session */
    static String issue(KeycloakSession session, RealmModel realm, AuthenticationManager.AuthResult auth,
                        List<String> scopes, int lifespanSeconds) {
        UserSessionModel userSession = auth.session();
        ClientModel client = auth.client();
        AuthenticatedClientSessionModel clientSession = userSession.getAuthenticatedClientSessionByClient(client.getId());
        if (clientSession == null) {
            throw new PluginFailure(PluginError.UNAUTHORIZED, "No client session of the plugin client in the user's session");
        }
        Set<String> wanted = new java.util.HashSet<>(scopes);
        wanted.add(BASIC_SCOPE);
        Set<ClientScopeModel> clientScopes = realm.getClientScopesStream()
                .filter(scope -> wanted.contains(scope.getName()))
                .collect(Collectors.toSet());
        DefaultClientSessionContext context = DefaultClientSessionContext.fromClientSessionAndClientScopes(
                clientSession, clientScopes, null, session);

        AccessToken token = new TokenManager().createClientAccessToken(session, realm, client, auth.user(), userSession,
                context, false);
        // The scope claim names what was asked for, not the scopes of the user's sign-in that the client
        // session remembers (e.g. openid).
        token.setScope(String.join(" ", scopes));
        token.exp(Math.min(token.getIat() + lifespanSeconds, sessionEnd(realm, userSession)));
        return session.tokens().encode(token);
    }

    /** When the user's session ends by its maximum lifespan (seconds since the epoch). */
    static long sessionEnd(RealmModel realm, UserSessionModel userSession) {
        long endMillis = SessionExpirationUtils.calculateUserSessionMaxLifespanTimestamp(userSession.isOffline(),
                userSession.isRememberMe(), TimeUnit.SECONDS.toMillis(userSession.getStarted()), realm);
        return endMillis > 0 ? TimeUnit.MILLISECONDS.toSeconds(endMillis) : Long.MAX_VALUE;
    }
}
