package dev.kcintegrations.plugin;

import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.util.List;
import java.util.Map;

/**
 * A "Plugin applications" page in the admin console (declarative UI): each entry registers an application of a
 * plugin client, as Field Service's "Applications for REST APIs" do. The host bridge sends them to the plugin in
 * {@code init}, and {@code getAccessToken {applicationKey}} issues the entry's scope. The same entries can be given
 * in realm JSON under {@code components."org.keycloak.services.ui.extend.UiPageProvider"}.
 */
public final class PluginApplicationPage implements UiPageProvider, UiPageProviderFactory<ComponentModel> {

    public static final String PROVIDER_ID = "plugin-applications";

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        // No apostrophes in these messages: Keycloak formats them with MessageFormat, which would eat them.
        PluginApplications.problem(realm, model).ifPresent(problem -> {
            throw new ComponentValidationException(problem);
        });
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of("displayFields", List.of(PluginApplications.CLIENT, PluginApplications.KEY, PluginApplications.TYPE,
                PluginApplications.SCOPE));
    }

    @Override
    public String getHelpText() {
        return "Applications of plugin clients (Field Service: Applications for REST APIs). A plugin gets them in its init"
                + " message and asks for a token with getAccessToken and the application key; the token carries the"
                + " entry's scope for the signed-in user, under the same rules as getAccessTokenByScope.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(PluginApplications.CLIENT).label("Plugin client").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Client id of the plugin client, e.g. field-service-plugin").add()
                .property().name(PluginApplications.KEY).label("Application key").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("The key the plugin names in getAccessToken, e.g. fs_rest_api").add()
                .property().name(PluginApplications.TYPE).label("Type").type(ProviderConfigProperty.LIST_TYPE)
                .options(PluginApplication.Type.ids()).defaultValue(PluginApplication.Type.OFS.id())
                .helpText("ofs: the Field Service REST API; oauth_user_assertion: another resource, for the user;"
                        + " oauth_client_credentials: never issued in a browser (the plugin gets a refusal)").add()
                .property().name(PluginApplications.RESOURCE_URL).label("Resource URL").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("https URL the plugin calls; empty for ofs: the realm's Field Service URL (Realm settings, Environment)").add()
                .property().name(PluginApplications.SCOPE).label("Scope").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("The URN scope of the token, e.g. urn:opc:resource:fusion:demo01:field-service-common/use;"
                        + " a default or optional client scope of the plugin client").add()
                .build();
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
