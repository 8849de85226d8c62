package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.WebFiles;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Map;

/**
 * The browser side of {@code plugin-api}: the host bridge any web application imports (another site's page,
 * so served for any origin, without credentials), and the demo host and sample plugin, served only in a realm
 * whose attribute {@value #DEMO_ATTRIBUTE} is {@code true} (the demo realm): they are examples, not product.
 */
final class PluginHostPages {

    static final String DEMO_ATTRIBUTE = "pluginApiDemoPages";

    private static final WebFiles BRIDGE = new WebFiles(Map.of("host.js", "plugin-host/host.js", "oidc.js", "web/oidc.js"));
    private static final WebFiles DEMO = new WebFiles(Map.of(
            "host.html", "plugin-host/demo/host.html", "host-demo.js", "plugin-host/demo/host-demo.js",
            "plugin.html", "plugin-host/demo/plugin.html", "plugin.js", "plugin-host/demo/plugin.js",
            "foreign.html", "plugin-host/demo/foreign.html", "foreign.js", "plugin-host/demo/foreign.js",
            "demo.css", "plugin-host/demo/demo.css"));

    /** Scripts other sites import as ES modules: any origin may load them (they hold nothing). */
    private static final WebFiles.Headers MODULE = new WebFiles.Headers("default-src 'none'; frame-ancestors 'none'", "no-referrer", null, true);
    /**
     * The demo host: its own scripts, this server, plugins in frames of any https origin (the plugin's origin is
     * registered on its client; the bridge enforces it), and the referrer's origin for the plugin, which
     * addresses its host by it as Field Service plugins do.
     */
    private static final WebFiles.Headers HOST = new WebFiles.Headers("default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; frame-src https: 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "strict-origin", "DENY", false);
    /** The sample plugin and the foreign frame: framed by hosts (any https origin), talking to nobody but by messages. */
    private static final WebFiles.Headers FRAMED = new WebFiles.Headers("default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors https: 'self'", "no-referrer", null, false);

    private PluginHostPages() {
    }

    static Response bridge(KeycloakSession session, String name) {
        return BRIDGE.serve(session, name, MODULE);
    }

    static Response demo(KeycloakSession session, RealmModel realm, String name) {
        if (!Boolean.parseBoolean(realm.getAttribute(DEMO_ATTRIBUTE))) {
            throw new NotFoundException();
        }
        return DEMO.serve(session, name, name.startsWith("host") ? HOST : FRAMED);
    }
}
