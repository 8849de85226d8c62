package dev.kcintegrations.urnscope;

import static dev.kcintegrations.shared.RealmEnvironment.ENVIRONMENT_NAME;
import static dev.kcintegrations.shared.RealmEnvironment.FA_URL;
import static dev.kcintegrations.shared.RealmEnvironment.FS_URL;

import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiTabProvider;
import org.keycloak.services.ui.extend.UiTabProviderFactory;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * An "Environment" tab under Realm settings in the admin console: edits the realm attributes
 * {@code environmentName}, {@code fsUrl} and {@code faUrl} (realm attributes have no editor of their own).
 * Saving writes them to the realm, where the URN scope rules and the plugin API read them.
 */
public final class EnvironmentTab implements UiTabProvider, UiTabProviderFactory<ComponentModel> {

    public static final String PROVIDER_ID = "Environment";
    private static final List<String> ATTRIBUTES = List.of(ENVIRONMENT_NAME, FS_URL, FA_URL);

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        String environment = model.get(ENVIRONMENT_NAME);
        if (environment == null || !environment.matches("[A-Za-z0-9._-]{1,64}")) {
            // No apostrophes: Keycloak formats the message with MessageFormat, which would eat them.
            throw new ComponentValidationException("environmentName must be 1 to 64 letters, digits, dots, underscores or hyphens");
        }
        for (String url : List.of(FS_URL, FA_URL)) {
            String value = model.get(url);
            if (value != null && !value.isBlank() && !isHttpsUrl(value)) {
                throw new ComponentValidationException(url + " must be an absolute https URL");
            }
        }
        if (model.get(FS_URL) == null || model.get(FS_URL).isBlank()) {
            throw new ComponentValidationException("fsUrl is required");
        }
    }

    private static boolean isHttpsUrl(String value) {
        try {
            URI uri = URI.create(value.strip());
            return "https".equals(uri.getScheme()) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void onCreate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        copyToRealm(realm, model);
    }

    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        copyToRealm(realm, newModel);
    }

    private static void copyToRealm(RealmModel realm, ComponentModel model) {
        for (String attribute : ATTRIBUTES) {
            String value = model.get(attribute);
            if (value == null || value.isBlank()) {
                realm.removeAttribute(attribute);
            } else {
                realm.setAttribute(attribute, value.strip());
            }
        }
    }

    @Override
    public String getPath() {
        return "/:realm/realm-settings/:tab?";
    }

    @Override
    public Map<String, String> getParams() {
        return Map.of("tab", "environment");
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "The environment this realm serves: its name (inside every URN scope's audience) and the URLs plugins build API calls on.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(ENVIRONMENT_NAME).label("Environment name")
                .helpText("e.g. demo01; every declared URN scope audience must contain it as a ':'-separated segment")
                .type(ProviderConfigProperty.STRING_TYPE).add()
                .property().name(FS_URL).label("Field Service URL").helpText("e.g. https://demo01.fs.ocs.oraclecloud.com")
                .type(ProviderConfigProperty.STRING_TYPE).add()
                .property().name(FA_URL).label("Fusion URL (optional)").helpText("Only in Fusion Field Service environments")
                .type(ProviderConfigProperty.STRING_TYPE).add()
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
