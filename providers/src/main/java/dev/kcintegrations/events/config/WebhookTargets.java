package dev.kcintegrations.events.config;

import org.keycloak.models.RealmModel;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The SSRF policy for a realm's webhook targets. The server's allow-list (SPI option {@code allowed-hosts})
 * is the most any realm may open; the realm attribute {@value #REALM_ATTRIBUTE} (comma-separated host names
 * or IP literals) can only narrow it to some of those hosts. A realm administrator therefore cannot open an
 * internal address the server's administrator did not allow. Without the attribute, the server's list applies.
 */
public final class WebhookTargets {

    public static final String REALM_ATTRIBUTE = "webhookAllowedHosts";

    private WebhookTargets() {
    }

    public static WebhookTargetPolicy policy(RealmModel realm, WebhookSettings settings) {
        return new WebhookTargetPolicy(allowedHosts(settings.allowedHosts(), realm.getAttribute(REALM_ATTRIBUTE)),
                InetAddress::getAllByName);
    }

    /** The hosts a realm may use: the server's, or those of the realm's that the server's list also has. */
    static List<String> allowedHosts(List<String> serverHosts, String realmAttribute) {
        List<String> server = serverHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        if (realmAttribute == null) {
            return server;
        }
        return Arrays.stream(realmAttribute.split(",")).map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(server::contains).distinct().toList();
    }
}
