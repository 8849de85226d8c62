package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.UrnScopes;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AuthenticationManager;

import java.util.Arrays;
import java.util.Optional;

/**
 * The only bearer {@code plugin-api} takes: a user's own sign-in token of the plugin client. A token issued
 * for a resource — by this API, by a token exchange, or any token whose audience or scope is a URN
 * resource — was issued for that resource alone; taking it here would let a holder of a {@code /view} token
 * mint a {@code /setup} one, and mint again before each expiry for as long as the session lives.
 */
final class PluginBearer {

    private PluginBearer() {
    }

    /** Why this authenticated bearer may not ask for plugin tokens; empty when it may. */
    static Optional<String> refusal(AuthenticationManager.AuthResult auth) {
        AccessToken token = auth.token();
        if (auth.user().getServiceAccountClientLink() != null) {
            return Optional.of("The bearer token belongs to a service account, not to a signed-in user");
        }
        if (token.getIssuedFor() == null || !token.getIssuedFor().equals(auth.client().getClientId())) {
            return Optional.of("The bearer token was not issued to the plugin client");
        }
        boolean resourceAudience = token.getAudience() != null && Arrays.stream(token.getAudience()).anyMatch(UrnScopes::isUrn);
        boolean resourceScope = UrnScopes.split(token.getScope()).stream().anyMatch(UrnScopes::isUrn);
        if (resourceAudience || resourceScope) {
            return Optional.of("The bearer token is a resource token, not the user's sign-in token");
        }
        return Optional.empty();
    }
}
