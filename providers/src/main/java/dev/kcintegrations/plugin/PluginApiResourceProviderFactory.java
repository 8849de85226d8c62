package dev.kcintegrations.plugin;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import java.util.List;

/**
 * Mounts {@link PluginApiEndpoint} at {@code /realms/{realm}/plugin-api}. Options:
 * {@code --spi-realm-restapi-extension--plugin-api--token-lifespan=3600} (seconds) and
 * {@code --spi-realm-restapi-extension--plugin-api--timeout=15000} (milliseconds).
 */
public final class PluginApiResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = "plugin-api";

    private PluginApiSettings settings = new PluginApiSettings(PluginApiSettings.DEFAULT_TOKEN_LIFESPAN,
            PluginApiSettings.DEFAULT_TIMEOUT_MILLIS);

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        PluginApiSettings current = settings;
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new PluginApiEndpoint(session, current);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        settings = new PluginApiSettings(
                config.getInt("token-lifespan", PluginApiSettings.DEFAULT_TOKEN_LIFESPAN),
                config.getLong("timeout", PluginApiSettings.DEFAULT_TIMEOUT_MILLIS));
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("token-lifespan").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Lifetime in seconds of tokens from getAccessTokenByScope (never past the user's session)")
                .defaultValue(PluginApiSettings.DEFAULT_TOKEN_LIFESPAN).add()
                .property().name("timeout").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Milliseconds after which getAccessTokenByScope answers PROCEDURE_TIMEOUT instead of a token")
                .defaultValue(PluginApiSettings.DEFAULT_TIMEOUT_MILLIS).add()
                .build();
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
}
