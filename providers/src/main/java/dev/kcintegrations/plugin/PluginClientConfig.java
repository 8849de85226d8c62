package dev.kcintegrations.plugin;

import org.keycloak.models.ClientModel;

/**
 * Per-client plugin settings, as client attributes (realm JSON {@code attributes}; admin console: the
 * client's attributes through the admin API). One typed place to read them.
 */
record PluginClientConfig(boolean tokenAccessEnabled, boolean nativeApp) {

    static final String TOKEN_ACCESS_ENABLED = "plugin.token.access.enabled";
    static final String NATIVE_APP = "plugin.native.app";

    static PluginClientConfig of(ClientModel client) {
        if (client == null) {
            return new PluginClientConfig(false, false);
        }
        return new PluginClientConfig(Boolean.parseBoolean(client.getAttribute(TOKEN_ACCESS_ENABLED)),
                Boolean.parseBoolean(client.getAttribute(NATIVE_APP)));
    }
}
