package dev.kcintegrations.events;

import org.keycloak.models.RealmModel;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SSRF policy for a realm's webhook targets: the server's allow-list (SPI option {@code allowed-hosts})
 * plus the realm's (realm attribute {@value #REALM_ATTRIBUTE}, comma-separated host names or IP literals).
 */
public final class WebhookTargets {

    public static final String REALM_ATTRIBUTE = "webhookAllowedHosts";

    private WebhookTargets() {
    }

    public static WebhookTargetPolicy policy(RealmModel realm, WebhookSettings settings) {
        List<String> hosts = new ArrayList<>(settings.allowedHosts());
        String realmHosts = realm.getAttribute(REALM_ATTRIBUTE);
        if (realmHosts != null) {
            hosts.addAll(Arrays.stream(realmHosts.split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList());
        }
        return new WebhookTargetPolicy(hosts, InetAddress::getAllByName);
    }
}
