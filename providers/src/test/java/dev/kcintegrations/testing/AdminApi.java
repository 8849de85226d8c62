package dev.kcintegrations.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** Keycloak's admin REST API over plain HTTP, signed in as the bootstrap admin (admin/admin). */
public final class AdminApi {

    /** A components query for the admin console pages' components (the project's plugin applications and topics). */
    public static final String UI_PAGES = "?type=org.keycloak.services.ui.extend.UiPageProvider"; // the SPI as the admin API names it

    private final URI baseUrl;
    private String token;
    private Instant tokenExpiry = Instant.EPOCH;

    public AdminApi(URI baseUrl) {
        this.baseUrl = baseUrl;
    }

    private synchronized String token() {
        if (Instant.now().isAfter(tokenExpiry)) {
            Http.Reply reply = Http.post(baseUrl.resolve("/realms/master/protocol/openid-connect/token"),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"),
                    "grant_type=password&client_id=admin-cli&username=admin&password=admin");
            if (reply.status() != 200) {
                throw new IllegalStateException("Admin sign-in failed: " + reply.status() + " " + reply.body());
            }
            token = reply.json().get("access_token").asText();
            tokenExpiry = Instant.now().plusSeconds(reply.json().get("expires_in").asLong() - 10);
        }
        return token;
    }

    public Http.Reply call(String method, String path, Object body) {
        try {
            byte[] json = body == null ? null : Http.JSON.writeValueAsBytes(body);
            return Http.send(method, baseUrl.resolve("/admin/realms" + path),
                    Map.of("Authorization", "Bearer " + token(), "Content-Type", "application/json"), json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@code GET /admin/serverinfo}: features, providers, themes of the server. */
    public JsonNode serverInfo() {
        Http.Reply reply = Http.get(baseUrl.resolve("/admin/serverinfo"), Map.of("Authorization", "Bearer " + token()));
        if (reply.status() != 200) {
            throw new IllegalStateException("GET /admin/serverinfo -> " + reply.status() + " " + reply.body());
        }
        return reply.json();
    }

    public JsonNode get(String path) {
        Http.Reply reply = call("GET", path, null);
        if (reply.status() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + reply.status() + " " + reply.body());
        }
        return reply.json();
    }

    public void put(String path, Object body) {
        expectSuccess("PUT", path, call("PUT", path, body));
    }

    /** @return the id from the Location header */
    public String create(String path, Object body) {
        Http.Reply reply = call("POST", path, body);
        expectSuccess("POST", path, reply);
        String location = reply.header("location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    public void delete(String path) {
        Http.Reply reply = call("DELETE", path, null);
        if (reply.status() != 204 && reply.status() != 404) {
            throw new IllegalStateException("DELETE " + path + " -> " + reply.status() + " " + reply.body());
        }
    }

    /** The internal id of a client by its clientId. */
    public String clientUuid(String realm, String clientId) {
        JsonNode found = get("/" + realm + "/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8));
        if (found.isEmpty()) {
            throw new IllegalStateException("No client " + clientId + " in " + realm);
        }
        return found.get(0).get("id").asText();
    }

    public ObjectNode object() {
        return Http.JSON.createObjectNode();
    }

    private static void expectSuccess(String method, String path, Http.Reply reply) {
        if (reply.status() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " -> " + reply.status() + " " + reply.body());
        }
    }
}
