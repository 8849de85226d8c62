package dev.kcintegrations.idcs;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;

import jakarta.ws.rs.core.Response;

/**
 * Keycloak's client credentials grant, told first what became of an IDCS client's scope ({@link ScopeOutcomes}).
 * It takes the place of Keycloak's factory of the same id; for every other request it is Keycloak's grant.
 */
public final class IdcsClientCredentialsGrantTypeFactory extends ClientCredentialsGrantTypeFactory {

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        return new ClientCredentialsGrantType() {
            @Override
            public Response process(Context context) {
                ScopeOutcomes.enforce(context);
                return super.process(context);
            }
        };
    }
}
