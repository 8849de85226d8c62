package dev.kcintegrations.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.keycloak.models.RealmModel;

/**
 * The environment a realm serves, from its realm attributes: the name every URN scope audience carries,
 * and the URLs plugins build API calls on ({@code faUrl} only in Fusion Field Service environments).
 * The one place that names those attributes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"environmentName", "fsUrl", "faUrl"})
public record RealmEnvironment(String environmentName, String fsUrl, String faUrl) {

    public static final String ENVIRONMENT_NAME = "environmentName";
    public static final String FS_URL = "fsUrl";
    public static final String FA_URL = "faUrl";

    public static RealmEnvironment of(RealmModel realm) {
        return new RealmEnvironment(value(realm, ENVIRONMENT_NAME), value(realm, FS_URL), value(realm, FA_URL));
    }

    private static String value(RealmModel realm, String attribute) {
        String value = realm.getAttribute(attribute);
        return value == null || value.isBlank() ? null : value;
    }
}
