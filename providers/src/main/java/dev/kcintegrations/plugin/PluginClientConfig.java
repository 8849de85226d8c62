package dev.kcintegrations.plugin;

import org.keycloak.models.ClientModel;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Per-client plugin settings, as client attributes (realm JSON {@code attributes}; admin console: the
 * client's attributes through the admin API). One typed place to read them.
 */
record PluginClientConfig(boolean tokenAccessEnabled, boolean nativeApp, List<String> origins) {

    static final String TOKEN_ACCESS_ENABLED = "plugin.token.access.enabled";
    static final String NATIVE_APP = "plugin.native.app";
    /** Where the plugin itself is served (space-separated origins): the host bridge talks only to these. */
    static final String ORIGINS = "plugin.origins";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    static PluginClientConfig of(ClientModel client) {
        if (client == null) {
            return new PluginClientConfig(false, false, List.of());
        }
        return new PluginClientConfig(Boolean.parseBoolean(client.getAttribute(TOKEN_ACCESS_ENABLED)),
                Boolean.parseBoolean(client.getAttribute(NATIVE_APP)), origins(client.getAttribute(ORIGINS)));
    }

    /**
     * Each entry as an origin ({@code scheme://host[:port]}, no path, no default port); anything that is not one is
     * left out, and so is plain {@code http} except on this machine's loopback (a plugin's token answers travel to it).
     */
    static List<String> origins(String attribute) {
        if (attribute == null || attribute.isBlank()) {
            return List.of();
        }
        return Arrays.stream(attribute.trim().split("[\\s,]+")).map(PluginClientConfig::origin).filter(Objects::nonNull).distinct().toList();
    }

    private static String origin(String text) {
        try {
            URI uri = new URI(text);
            boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if (uri.getHost() == null || !bare || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null
                    || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                return null;
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if ("http".equals(uri.getScheme()) && !LOOPBACK.contains(host)) {
                return null;
            }
            int defaultPort = "https".equals(uri.getScheme()) ? 443 : 80;
            return uri.getScheme() + "://" + host + (uri.getPort() == -1 || uri.getPort() == defaultPort ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
