package dev.kcintegrations.idcs;

import org.keycloak.authentication.authenticators.client.ClientAssertionState;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.DefaultJWTAuthorizationGrantValidator;

/**
 * Keycloak's own checks of an authorization-grant JWT (algorithm, audience, {@code exp}/{@code iat} within the
 * clock skew and the maximum lifetime, {@code jti} once in Keycloak's single-use store, cluster-wide), applied to
 * an IDCS user assertion. Only the replay namespace is ours: one per client, so two clients' {@code jti}s
 * never collide.
 */
final class UserAssertionValidator extends DefaultJWTAuthorizationGrantValidator {

    UserAssertionValidator(KeycloakSession session, String scope, ClientAssertionState state) {
        super(session, scope, state);
    }

    @Override
    protected String getJtiCacheKeyPrefix() {
        return "idcs-user-assertion:" + clientAssertionState.getClient().getId();
    }
}
