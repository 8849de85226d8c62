package dev.kcintegrations.idcs;

import jakarta.ws.rs.core.Response;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.services.CorsErrorResponseException;

/**
 * Where an IDCS client hears why its scope could not be put in Keycloak's terms ({@link IdcsTokenRequestFilter}):
 * at the start of the grant, i.e. once Keycloak has authenticated the client, before the grant reads the scope.
 * An unauthenticated caller therefore learns nothing from it. A scope spelled for another client than the one
 * that authenticated is refused here too. Grants that do not call this still refuse such a request, for its
 * pseudo-scope is no client scope, with Keycloak's plainer "Invalid scopes".
 */
final class ScopeOutcomes {

    private ScopeOutcomes() {
    }

    static void enforce(OAuth2GrantType.Context context) {
        KeycloakSession session = context.getSession();
        if (!(session.getAttribute(IdcsTokenRequestFilter.OUTCOME) instanceof IdcsScopeRequest.Outcome outcome)) {
            return;
        }
        if (!outcome.clientId().equals(context.getClient().getClientId())) {
            throw refuse(context, OAuthErrorException.INVALID_REQUEST, "The request names another client than the one that authenticated");
        }
        if (outcome instanceof IdcsScopeRequest.Refusal refusal) {
            throw refuse(context, OAuthErrorException.INVALID_SCOPE, refusal.description());
        }
    }

    private static CorsErrorResponseException refuse(OAuth2GrantType.Context context, String error, String description) {
        context.getEvent().detail(Details.REASON, description).error(Errors.INVALID_REQUEST);
        return new CorsErrorResponseException(context.getCors(), error, description, Response.Status.BAD_REQUEST);
    }
}
