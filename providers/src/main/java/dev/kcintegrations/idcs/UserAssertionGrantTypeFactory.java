package dev.kcintegrations.idcs;

import org.keycloak.Config;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.Profile;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;

/**
 * Takes the place of Keycloak's factory for {@code urn:ietf:params:oauth:grant-type:jwt-bearer} (a provider
 * factory of the same id outside Keycloak replaces the internal one) and hands every request of a client that
 * has not opted in, and every assertion an opted-in client relays from an identity provider ({@code iss} not
 * itself), to Keycloak's own JWT authorization grant, unchanged.
 */
public final class UserAssertionGrantTypeFactory implements OAuth2GrantTypeFactory, EnvironmentDependentProviderFactory {

    @Override
    public String getId() {
        return OAuth2Constants.JWT_AUTHORIZATION_GRANT;
    }

    @Override
    public String getShortcut() {
        return "ag";
    }

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
        return new UserAssertionGrantType();
    }

    /** On where Keycloak's own grant is: turning Keycloak's {@code jwt-authorization-grant} feature off turns both off. */
    @Override
    public boolean isSupported(Config.Scope config) {
        return Profile.isFeatureEnabled(Profile.Feature.JWT_AUTHORIZATION_GRANT);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
