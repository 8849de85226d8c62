package dev.kcintegrations.idcs;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantTypeFactory;

import jakarta.ws.rs.core.Response;

/**
 * Keycloak's resource owner password grant, told first what became of an IDCS client's scope
 * ({@link ScopeOutcomes}). It takes the place of Keycloak's factory of the same id; for every other request it is
 * Keycloak's grant.
 */
public final class IdcsPasswordGrantTypeFactory extends ResourceOwnerPasswordCredentialsGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        return new ResourceOwnerPasswordCredentialsGrantType() {
            @Override
            public Response process(Context context) {
                ScopeOutcomes.enforce(context);
                return super.process(context);
            }
        };
    }
}
