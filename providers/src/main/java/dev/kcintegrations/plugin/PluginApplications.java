package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.RealmEnvironment;
import dev.kcintegrations.shared.UrnScopes;
import dev.kcintegrations.urnscope.UrnScopeRules;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

import java.net.URI;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    static final List<String> FIELDS = List.of(CLIENT, KEY, TYPE, RESOURCE_URL, SCOPE);
    /** The admin console's declarative page writes its route's parameters into the config too: not settings. */
    private static final Set<String> CONSOLE_PARAMS = Set.of("realm", "providerId", "id");
    /** A letter first: JavaScript orders integer-like keys before others, and the plugin takes the first ofs one. */
    private static final String KEY_PATTERN = "[A-Za-z][A-Za-z0-9_.-]{0,63}";

    private PluginApplications() {
    }

    /**
     * The client's applications by key, in the order of their keys (a plugin takes the first {@code ofs} one, and
     * JavaScript keeps these keys in insertion order). Of two entries with one key (realm JSON can hold them), one
     * is served.
     */
    static Map<String, PluginApplication> of(RealmModel realm, ClientModel client) {
        Map<String, PluginApplication> applications = new LinkedHashMap<>();
        entries(realm)
                .filter(component -> client.getClientId().equals(text(component, CLIENT)))
                .map(component -> read(realm, component))
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(PluginApplication::key))
                .forEach(application -> applications.putIfAbsent(application.key(), application));
        return applications;
    }

    /**
     * Why an entry cannot be saved, or empty. Its scope is checked again when a token is asked for (the client's
     * scopes may have changed since): this check keeps mistakes out of the console, not attackers out of tokens.
     */
    static Optional<String> problem(RealmModel realm, ComponentModel entry) {
        Optional<String> fields = fieldsProblem(realm, entry);
        if (fields.isPresent()) {
            return fields;
        }
        String clientId = text(entry, CLIENT);
        String key = text(entry, KEY);
        boolean taken = entries(realm).anyMatch(other -> !other.getId().equals(entry.getId())
                && clientId.equals(text(other, CLIENT)) && key.equals(text(other, KEY)));
        if (taken) {
            return Optional.of("applicationKey " + key + " is registered for " + clientId + " already");
        }
        return scopeProblem(realm, realm.getClientByClientId(clientId), text(entry, SCOPE));
    }

    /** The entry's own fields: known, a client of the realm, a key, a type, a usable https URL. */
    private static Optional<String> fieldsProblem(RealmModel realm, ComponentModel entry) {
        Optional<String> unknown = entry.getConfig().keySet().stream().filter(field -> !FIELDS.contains(field) && !CONSOLE_PARAMS.contains(field))
                .sorted().findFirst();
        if (unknown.isPresent()) {
            return Optional.of("unknown field " + unknown.get() + " (fields: " + String.join(", ", FIELDS) + ")");
        }
        String clientId = text(entry, CLIENT);
        if (clientId.isEmpty() || realm.getClientByClientId(clientId) == null) {
            return Optional.of("client must be the client id of a client of this realm");
        }
        if (!text(entry, KEY).matches(KEY_PATTERN)) {
            return Optional.of("applicationKey must be 1 to 64 letters, digits, dots, underscores or hyphens, starting with a letter");
        }
        Optional<PluginApplication.Type> type = PluginApplication.Type.of(text(entry, TYPE));
        if (type.isEmpty()) {
            return Optional.of("type must be one of " + String.join(", ", PluginApplication.Type.ids()));
        }
        String url = resourceUrl(realm, entry, type.get());
        if (!isHttpsUrl(url)) {
            return Optional.of(text(entry, RESOURCE_URL).isEmpty() && type.get() == PluginApplication.Type.OFS
                    ? "resourceUrl is needed: this realm has no Field Service URL (Realm settings, Environment) to default to"
                    : "resourceUrl must be an absolute https URL (only an ofs application may leave it empty: the realm's fsUrl)");
        }
        return Optional.empty();
    }

    /** The entry's URL; for an ofs entry without one, the realm's Field Service URL (read now, so it follows a change). */
    private static String resourceUrl(RealmModel realm, ComponentModel entry, PluginApplication.Type type) {
        String url = text(entry, RESOURCE_URL);
        if (url.isEmpty() && type == PluginApplication.Type.OFS) {
            return Optional.ofNullable(realm.getAttribute(RealmEnvironment.FS_URL)).orElse("").strip();
        }
        return url;
    }

    /** The URN scope rules, and the scope among the client's default or optional client scopes. */
    static Optional<String> scopeProblem(RealmModel realm, ClientModel client, String scope) {
        if (UrnScopes.split(scope).isEmpty() || !UrnScopes.split(scope).stream().allMatch(UrnScopes::isUrn)) {
            return Optional.of("scope must be one or more URN scopes of one resource");
        }
        UrnScopeRules.Verdict verdict = UrnScopeRules.check(realm, scope, List.of());
        if (verdict.refused()) {
            return Optional.of("scope: " + verdict.violation().description());
        }
        Set<String> clientScopes = new HashSet<>(client.getClientScopes(true).keySet());
        clientScopes.addAll(client.getClientScopes(false).keySet());
        return UrnScopes.split(scope).stream().filter(s -> !clientScopes.contains(s)).findFirst()
                .map(s -> "scope " + s + " is not a default or optional client scope of " + client.getClientId());
    }

    private static Stream<ComponentModel> entries(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), UiPageProvider.class.getName())
                .filter(component -> PluginApplicationPage.PROVIDER_ID.equals(component.getProviderId()));
    }

    /**
     * An entry edited into something invalid (in the database, in realm JSON) is left out, not fatal. Its scope is
     * not judged here: a scope the client has lost is refused when a token is asked for, by name.
     */
    private static Optional<PluginApplication> read(RealmModel realm, ComponentModel entry) {
        if (fieldsProblem(realm, entry).isPresent()) {
            return Optional.empty();
        }
        PluginApplication.Type type = PluginApplication.Type.of(text(entry, TYPE)).orElseThrow();
        return Optional.of(new PluginApplication(text(entry, KEY), type, resourceUrl(realm, entry, type), text(entry, SCOPE)));
    }

    private static String text(ComponentModel entry, String name) {
        return Optional.ofNullable(entry.get(name)).orElse("").strip();
    }

    private static boolean isHttpsUrl(String value) {
        try {
            URI uri = URI.create(value);
            return !value.isEmpty() && "https".equals(uri.getScheme()) && uri.getHost() != null && uri.getRawUserInfo() == null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
