package dev.kcintegrations.plugin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import com.fasterxml.jackson.databind.node.ArrayNode;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The plugin demo of realm-config, and how tests sign a technician in and call {@code plugin-api} as a plugin would. */
final class PluginCalls {

    private PluginCalls() {
    }

    static final String REALM = "integrations";

    static final String FS = "urn:opc:resource:fusion:demo01:field-service-common";

    static final String FA_ALL = "urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all";

    static final String PLUGIN = "field-service-plugin";

    static URI api(Keycloak keycloak) {
        return keycloak.realmUrl(PluginCalls.REALM, "/plugin-api");
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static JsonNode signIn(Keycloak keycloak, String clientId, String scope) {
        Map<String, String> params = new LinkedHashMap<>(Map.of("grant_type", "password", "client_id", clientId,
                "username", "technician", "password", "technician", "scope", scope));
        Http.Reply reply = Http.post(keycloak.realmUrl(PluginCalls.REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"), PluginCalls.form(params));
        assertEquals(200, reply.status(), reply.shown());
        return reply.json();
    }

    static String userToken(Keycloak keycloak) {
        return PluginCalls.signIn(keycloak, PluginCalls.PLUGIN, "openid").get("access_token").asText();
    }

    static String call(String callId, String scopeJson) {
        return "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"" + callId
                + "\",\"procedure\":\"getAccessTokenByScope\",\"params\":{\"scope\":" + scopeJson + "}}";
    }

    static Http.Reply post(Keycloak keycloak, String bearer, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        if (bearer != null) {
            headers.put("Authorization", "Bearer " + bearer);
        }
        return Http.post(PluginCalls.api(keycloak), headers, body);
    }

    static JsonNode claims(String jwt) {
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void assertError(Http.Reply reply, int status, String type, String code) {
        assertEquals(status, reply.status(), reply.shown());
        JsonNode json = reply.json();
        assertEquals(1, json.get("apiVersion").asInt());
        assertEquals("error", json.get("method").asText());
        assertEquals(type, json.get("errors").get(0).get("type").asText(), reply.shown());
        assertEquals(code, json.get("errors").get(0).get("code").asText(), reply.shown());
    }

    static JsonNode introspect(Keycloak keycloak, String token) {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (URLEncoder.encode(PluginCalls.FS, StandardCharsets.UTF_8) + ":resource-server-secret").getBytes(StandardCharsets.UTF_8));
        return Http.post(keycloak.realmUrl(PluginCalls.REALM, "/protocol/openid-connect/token/introspect"),
                Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), "token=" + token).json();
    }

    /** A public client for the technician, made for one test. */
    record PluginClient(Keycloak keycloak, String id, String clientId) implements AutoCloseable {
        static PluginClient create(Keycloak keycloak, boolean tokenAccess, boolean nativeApp) {
            String clientId = "plugin-test-" + UUID.randomUUID().toString().substring(0, 8);
            ObjectNode rep = keycloak.admin().object().put("clientId", clientId).put("publicClient", true)
                    .put("directAccessGrantsEnabled", true).put("standardFlowEnabled", false);
            rep.putObject("attributes").put("plugin.token.access.enabled", String.valueOf(tokenAccess))
                    .put("plugin.native.app", String.valueOf(nativeApp));
            rep.putArray("defaultClientScopes").add("basic").add("roles");
            rep.putArray("optionalClientScopes").add(PluginCalls.FS + "/use");
            return new PluginClient(keycloak, keycloak.admin().create("/" + PluginCalls.REALM + "/clients", rep), clientId);
        }

        @Override
        public void close() {
            keycloak.admin().delete("/" + PluginCalls.REALM + "/clients/" + id);
        }
    }

    static final String STEPS = "plugin-steps.mjs";

    /**
     * The demo host and plugin on this server's HTTPS port: the host at https://localhost:port, the plugin at
     * https://127.0.0.1:port (another origin), registered on the plugin client as a deployment would do it.
     */
    static Map<String, Object> registerHttpsDemo(Keycloak keycloak) {
        URI https = keycloak.httpsUrl();
        String pluginOrigin = "https://127.0.0.1:" + https.getPort();
        String hostOrigin = "https://localhost:" + https.getPort();
        String uuid = keycloak.admin().clientUuid(PluginCalls.REALM, PluginCalls.PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + PluginCalls.REALM + "/clients/" + uuid);
        addOnce((ArrayNode) client.get("redirectUris"), hostOrigin + "/realms/" + PluginCalls.REALM + "/plugin-api/demo/host.html");
        addOnce((ArrayNode) client.get("webOrigins"), hostOrigin);
        ((ObjectNode) client.get("attributes")).put("plugin.origins", pluginOrigin);
        keycloak.admin().put("/" + PluginCalls.REALM + "/clients/" + uuid, client);
        return Map.of("hostUrl", hostOrigin + "/realms/" + PluginCalls.REALM + "/plugin-api/demo/host.html", "pluginOrigin", pluginOrigin,
                "username", "technician", "password", "technician");
    }

    static JsonNode assertBridgeError(JsonNode message, String type, String code) {
        assertNotNull(message);
        assertEquals("error", message.get("method").asText(), message.toString());
        assertEquals(1, message.get("apiVersion").asInt());
        assertEquals(type, message.at("/errors/0/type").asText(), message.toString());
        assertEquals(code, message.at("/errors/0/code").asText(), message.toString());
        return message;
    }

    static String scopeId(Keycloak keycloak, String name) {
        for (JsonNode scope : keycloak.admin().get("/" + REALM + "/client-scopes")) {
            if (name.equals(scope.get("name").asText())) {
                return scope.get("id").asText();
            }
        }
        throw new AssertionError("no client scope " + name);
    }

    static void addOnce(ArrayNode array, String value) {
        for (JsonNode existing : array) {
            if (existing.asText().equals(value)) {
                return;
            }
        }
        array.add(value);
    }
}
