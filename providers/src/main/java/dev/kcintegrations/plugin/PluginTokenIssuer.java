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

import java.util.HashSet;
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
        Set<String> wanted = new HashSet<>(scopes);
        wanted.add(BASIC_SCOPE);
        Set<ClientScopeModel> clientScopes = realm.getClientScopesStream()
                .filter(scope -> wanted.contains(scope.getName()))
                .collect(Collectors.toSet());
        DefaultClientSessionContext context = DefaultClientSessionContext.fromClientSessionAndClientScopes(
                clientSession, clientScopes, null, session);
        // Keycloak leaves out a scope the user may not have (its role scope mappings); a scope the user has
        // not consented to is not granted either. Either way the request is refused, never narrowed quietly.
        Set<String> granted = context.getClientScopesStream().map(ClientScopeModel::getName).collect(Collectors.toSet());
        for (String scope : scopes) {
            if (!granted.contains(scope)) {
                throw new PluginFailure(PluginError.SCOPE_NOT_ALLOWED, "Scope " + scope + " is not granted to this user");
            }
        }
        if (!TokenManager.verifyConsentStillAvailable(session, auth.user(), client, clientSession, String.join(" ", scopes))) {
            throw new PluginFailure(PluginError.SCOPE_NOT_ALLOWED, "The user has not consented to " + String.join(" ", scopes));
        }

        AccessToken token = new TokenManager().createClientAccessToken(session, realm, client, auth.user(), userSession,
                context, false);
        // The scope claim names what was asked for, not the scopes of the user's sign-in that the client
        // session remembers (e.g. openid).
        token.setScope(String.join(" ", scopes));
        token.exp(Math.min(token.getIat() + lifespanSeconds, sessionEnd(realm, client, userSession, clientSession)));
        return session.tokens().encode(token);
    }

    /**
     * The earliest moment the sessions behind the token end (seconds since the epoch): the user session's
     * idle and maximum limits and the client session's, with the client's own overrides, as Keycloak computes
     * them. Issuing does not refresh either session, so a token never outlives an idle session either.
     */
    static long sessionEnd(RealmModel realm, ClientModel client, UserSessionModel userSession,
                           AuthenticatedClientSessionModel clientSession) {
        boolean offline = userSession.isOffline();
        boolean rememberMe = userSession.isRememberMe();
        long userStarted = TimeUnit.SECONDS.toMillis(userSession.getStarted());
        long clientStarted = clientSession.getStarted() > 0 ? TimeUnit.SECONDS.toMillis(clientSession.getStarted()) : userStarted;
        long[] ends = {
                SessionExpirationUtils.calculateUserSessionMaxLifespanTimestamp(offline, rememberMe, userStarted, realm),
                SessionExpirationUtils.calculateUserSessionIdleTimestamp(offline, rememberMe,
                        TimeUnit.SECONDS.toMillis(userSession.getLastSessionRefresh()), realm),
                SessionExpirationUtils.calculateClientSessionMaxLifespanTimestamp(offline, rememberMe, clientStarted, userStarted, realm, client),
                SessionExpirationUtils.calculateClientSessionIdleTimestamp(offline, rememberMe,
                        TimeUnit.SECONDS.toMillis(clientSession.getTimestamp()), realm, client)};
        long earliest = Long.MAX_VALUE;
        for (long end : ends) {
            if (end > 0) {
                earliest = Math.min(earliest, end);
            }
        }
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toSeconds(earliest);
    }
}
