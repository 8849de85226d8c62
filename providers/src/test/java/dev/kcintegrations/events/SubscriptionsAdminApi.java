package dev.kcintegrations.events;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Calls to {@code /admin/realms/integrations/event-subscriptions}, as the master admin or with a given token. */
final class SubscriptionsAdminApi {

    private SubscriptionsAdminApi() {
    }

    static Http.Reply asAdmin(Keycloak keycloak, String method, String path, String body) {
        return as(keycloak, RealmUsers.adminToken(keycloak), method, path, body);
    }

    static Http.Reply as(Keycloak keycloak, String token, String method, String path, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        headers.put("Content-Type", "application/json");
        return Http.send(method, keycloak.baseUrl().resolve("/admin/realms/" + Ess.REALM + "/event-subscriptions" + path), headers,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }
}
