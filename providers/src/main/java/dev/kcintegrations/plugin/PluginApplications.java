package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.RealmEnvironment;
import dev.kcintegrations.shared.UrnScopes;
import dev.kcintegrations.urnscope.UrnScopeRules;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The applications registered for plugin clients: entries of the admin console's "Plugin applications" page
 * (components of {@link PluginApplicationPage}, also in realm JSON). The one place that says what a valid entry is.
 */
final class PluginApplications {

    static final String CLIENT = "client";
    static final String KEY = "applicationKey";
    static final String TYPE = "type";
    static final String RESOURCE_URL = "resourceUrl";
    static final String SCOPE = "scope";
    static final java.util.List<String> FIELDS = java.util.List.of(CLIENT, KEY, TYPE, RESOURCE_URL, SCOPE);
    /** The admin console's declarative page writes its route's parameters into the config too: not settings. */
    private static final java.util.Set<String> CONSOLE_PARAMS = java.util.Set.of("realm", "providerId", "id");
    private static final String KEY_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    private PluginApplications() {
    }

    /** The client's applications by key, in the order of their keys (a plugin takes the first {@code ofs} one). */
    static Map<String, PluginApplication> of(RealmModel realm, ClientModel client) {
        Map<String, PluginApplication> applications = new LinkedHashMap<>();
        entries(realm)
                .filter(component -> client.getClientId().equals(component.get(CLIENT)))
                .map(component -> read(realm, component))
                .flatMap(Optional::stream)
                .sorted(java.util.Comparator.comparing(PluginApplication::key))
                .forEach(application -> applications.putIfAbsent(application.key(), application));
        return applications;
    }

    /**
     * Why an entry cannot be saved, or empty. Its scope is checked again when a token is asked for (the client's
     * scopes may have changed since): this check keeps mistakes out of the console, not attackers out of tokens.
     */
    static Optional<String> problem(RealmModel realm, ComponentModel entry) {
        Optional<String> unknown = entry.getConfig().keySet().stream().filter(field -> !FIELDS.contains(field) && !CONSOLE_PARAMS.contains(field))
                .sorted().findFirst();
        if (unknown.isPresent()) {
            return Optional.of("unknown field " + unknown.get() + " (fields: " + String.join(", ", FIELDS) + ")");
        }
        String clientId = text(entry, CLIENT);
        ClientModel client = clientId.isEmpty() ? null : realm.getClientByClientId(clientId);
        if (client == null) {
            return Optional.of("client must be the client id of a client of this realm");
        }
        String key = text(entry, KEY);
        if (!key.matches(KEY_PATTERN)) {
            return Optional.of("applicationKey must be 1 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or digit");
        }
        boolean taken = entries(realm).anyMatch(other -> !other.getId().equals(entry.getId())
                && clientId.equals(other.get(CLIENT)) && key.equals(text(other, KEY)));
        if (taken) {
            return Optional.of("applicationKey " + key + " is registered for " + clientId + " already");
        }
        Optional<PluginApplication.Type> type = PluginApplication.Type.of(text(entry, TYPE));
        if (type.isEmpty()) {
            return Optional.of("type must be one of " + String.join(", ", PluginApplication.Type.ids()));
        }
        String url = text(entry, RESOURCE_URL);
        if (url.isEmpty() ? type.get() != PluginApplication.Type.OFS : !isHttpsUrl(url)) {
            return Optional.of("resourceUrl must be an absolute https URL (only an ofs application may leave it empty: the realm's fsUrl)");
        }
        return scopeProblem(realm, client, text(entry, SCOPE));
    }

    /** The URN scope rules, and the scope among the client's default or optional client scopes. */
    static Optional<String> scopeProblem(RealmModel realm, ClientModel client, String scope) {
        if (UrnScopes.split(scope).isEmpty() || !UrnScopes.split(scope).stream().allMatch(UrnScopes::isUrn)) {
            return Optional.of("scope must be one or more URN scopes of one resource");
        }
        UrnScopeRules.Verdict verdict = UrnScopeRules.check(realm, scope, java.util.List.of());
        if (verdict.refused()) {
            return Optional.of("scope: " + verdict.violation().description());
        }
        java.util.Set<String> clientScopes = new java.util.HashSet<>(client.getClientScopes(true).keySet());
        clientScopes.addAll(client.getClientScopes(false).keySet());
        return UrnScopes.split(scope).stream().filter(s -> !clientScopes.contains(s)).findFirst()
                .map(s -> "scope " + s + " is not a default or optional client scope of " + client.getClientId());
    }

    private static Stream<ComponentModel> entries(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), UiPageProvider.class.getName())
                .filter(component -> PluginApplicationPage.PROVIDER_ID.equals(component.getProviderId()));
    }

    /** An entry edited into something invalid (in the database, in realm JSON) is left out, not fatal. */
    private static Optional<PluginApplication> read(RealmModel realm, ComponentModel entry) {
        if (problem(realm, entry).filter(p -> !p.startsWith("scope")).isPresent()) {
            return Optional.empty();
        }
        PluginApplication.Type type = PluginApplication.Type.of(text(entry, TYPE)).orElseThrow();
        String url = text(entry, RESOURCE_URL);
        if (url.isEmpty()) {
            url = Optional.ofNullable(realm.getAttribute(RealmEnvironment.FS_URL)).orElse("").strip();
        }
        return Optional.of(new PluginApplication(text(entry, KEY), type, url, text(entry, SCOPE)));
    }

    private static String text(ComponentModel entry, String name) {
        return Optional.ofNullable(entry.get(name)).orElse("").strip();
    }

    private static boolean isHttpsUrl(String value) {
        try {
            URI uri = URI.create(value);
            return "https".equals(uri.getScheme()) && uri.getHost() != null && uri.getRawUserInfo() == null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
