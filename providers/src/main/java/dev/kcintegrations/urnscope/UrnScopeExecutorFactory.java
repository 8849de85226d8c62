package dev.kcintegrations.urnscope;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

import java.util.List;

/** Registers {@link UrnScopeExecutor} for realms' client profiles (admin console: Realm settings → Client policies). */
public final class UrnScopeExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String PROVIDER_ID = "urn-scope-audience";

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new UrnScopeExecutor(session);
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

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "Audience-scoped URN scopes: every requested URN scope must be a client scope with a 'URN resource "
                + "audience' mapper whose audience names the realm's environmentName; all must share one audience; "
                + "an RFC 8707 'resource' must name that audience.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
