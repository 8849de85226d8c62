package dev.kcintegrations.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A throw-away realm for tests and benchmarks that delete it afterwards: a password-grant client
 * {@code bench-login}, a user {@code bench}/{@code bench}, the events scopes, and an application
 * {@code bench-app} (secret {@code bench-app-secret}) allowed to subscribe to logins on loopback.
 */
public final class ScratchRealm {

    public static final String APP = "bench-app";
    public static final String APP_SECRET = "bench-app-secret";
    /** A second subscribing application, same secret: for cases with more subscriptions than one may hold. */
    public static final String SECOND_APP = "bench-app-2";

    private ScratchRealm() {
    }

    /** Creates the realm {@code name}, replacing one left over from an earlier run. */
    public static void create(AdminApi admin, String name) {
        admin.delete("/" + name);
        ObjectNode realm = admin.object().put("realm", name).put("enabled", true);
        realm.putObject("attributes").put("webhookAllowedHosts", "127.0.0.1");
        ArrayNode scopes = realm.putArray("clientScopes");
        for (String scope : new String[]{"basic", "events.topic.read", "events.user.read"}) {
            ObjectNode s = scopes.addObject().put("name", scope).put("protocol", "openid-connect");
            s.putObject("attributes").put("include.in.token.scope", "true");
        }
        ArrayNode clients = realm.putArray("clients");
        clients.addObject().put("clientId", "bench-login").put("publicClient", true).put("directAccessGrantsEnabled", true)
                .put("standardFlowEnabled", false).putArray("defaultClientScopes").add("basic");
        for (String clientId : new String[]{APP, SECOND_APP}) {
            ObjectNode app = clients.addObject().put("clientId", clientId).put("secret", APP_SECRET)
                    .put("publicClient", false).put("serviceAccountsEnabled", true).put("standardFlowEnabled", false);
            app.putArray("defaultClientScopes").add("basic").add("events.topic.read").add("events.user.read");
        }
        ObjectNode user = realm.putArray("users").addObject().put("username", "bench").put("enabled", true)
                .put("email", "bench@example.com").put("firstName", "Bench").put("lastName", "User").put("emailVerified", true);
        user.putArray("credentials").addObject().put("type", "password").put("value", "bench").put("temporary", false);
        admin.call("POST", "", realm);
    }
}
