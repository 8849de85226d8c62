package dev.kcintegrations.shared;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request bytes that Keycloak's HTTP layer cannot decode — a form with a broken percent escape, a charset it
 * does not know, a multipart type around a body that is not multipart, more fields than its parser takes, a
 * {@code Content-Type} that is not a media type — are refused by each of this project's endpoints with a 400
 * in that API's own error format, before Keycloak's parser sees them (so the body, secret and all, is not
 * logged). Keycloak's own endpoints are left as they are.
 */
@KeycloakIntegrationTest
class UndecodableRequestsIT {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String SECRET = "client_secret=Undecodable~Secret";

    /** Each is a 500 from Keycloak's form parser or its security-headers filter on an endpoint without the guard. */
    record Undecodable(String name, List<String> contentTypes, String body) {
    }

    static final List<Undecodable> CASES = List.of(
            new Undecodable("broken escape in a value", List.of(FORM), "grant_type=client_credentials&scope=%zz&" + SECRET),
            new Undecodable("broken escape in a name", List.of(FORM), "sc%zzope=1&" + SECRET),
            new Undecodable("truncated escape", List.of(FORM), SECRET + "&scope=%4"),
            new Undecodable("unknown charset", List.of(FORM + "; charset=bogus"), "scope=a%20b&" + SECRET),
            new Undecodable("multipart that is not", List.of("multipart/form-data; boundary=xyz"), "not multipart " + SECRET),
            new Undecodable("more fields than the parser takes", List.of(FORM), "a=1&".repeat(1200) + SECRET),
            new Undecodable("Content-Type that does not parse", List.of("application/"), "{}"),
            new Undecodable("second Content-Type that does not parse", List.of("application/json", "a(b"), "{}"));

    static Http.Reply send(Keycloak keycloak, String method, String path, Undecodable request) {
        byte[] body = request.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder raw = new StringBuilder(method + " /realms/integrations" + path + " HTTP/1.1\r\n")
                .append("Host: ").append(keycloak.baseUrl().getHost()).append(':').append(keycloak.baseUrl().getPort()).append("\r\n")
                .append("Concur-Correlationid: undecodable-1\r\n")
                .append("Connection: close\r\n");
        request.contentTypes().forEach(type -> raw.append("Content-Type: ").append(type).append("\r\n"));
        raw.append("Content-Length: ").append(body.length).append("\r\n\r\n").append(request.body());
        return RawHttp.exchange(keycloak.baseUrl(), raw.toString());
    }

    /** Keycloak decodes form bodies ahead of POST, PUT and PATCH only; a bad Content-Type fails every method. */
    static final List<Undecodable> ANY_METHOD = CASES.subList(CASES.size() - 2, CASES.size());

    static void assertEachRefused(Keycloak keycloak, String method, String path, Consumer<Http.Reply> inTheApisFormat) {
        List<String> failures = new ArrayList<>();
        for (Undecodable request : List.of("GET", "DELETE").contains(method) ? ANY_METHOD : CASES) {
            Http.Reply reply = send(keycloak, method, path, request);
            if (reply.status() != 400) {
                failures.add(request.name() + ": " + reply.status() + " " + reply.body());
                continue;
            }
            assertFalse(reply.body().contains("Undecodable~Secret"), request.name() + ": " + reply.body());
            inTheApisFormat.accept(reply);
        }
        assertTrue(failures.isEmpty(), method + " " + path + " " + String.join("\n", failures));
    }

    @Test
    void calloutTokenEndpointAnswersInvalidRequest(Keycloak keycloak) {
        assertEachRefused(keycloak, "POST", "/oauth-compat/token", reply -> {
            assertEquals("invalid_request", reply.json().get("error").asText(), reply.shown());
            assertTrue(reply.json().get("error_description").isTextual(), reply.shown());
        });
    }

    @Test
    void pluginApiAnswersInItsErrorEnvelope(Keycloak keycloak) {
        assertEachRefused(keycloak, "POST", "/plugin-api", reply -> {
            JsonNode json = reply.json();
            assertEquals("error", json.get("method").asText(), reply.shown());
            assertEquals("CODE_JSON_INVALID", json.get("errors").get(0).get("code").asText(), reply.shown());
        });
    }

    @Test
    void eventsApiAnswersInTheConcurShapeOnEveryMethod(Keycloak keycloak) {
        for (String method : List.of("GET", "PUT", "POST", "DELETE", "PATCH")) {
            assertEachRefused(keycloak, method, "/events/v4/subscriptions", reply -> {
                JsonNode json = reply.json();
                assertEquals(400, json.get("statusCode").asInt(), reply.shown());
                assertTrue(json.get("message").isTextual(), reply.shown());
                assertEquals("undecodable-1", json.get("correlationId").asText(), reply.shown());
                assertEquals("undecodable-1", reply.header("concur-correlationid").orElseThrow());
            });
        }
    }

    @Test
    void keycloaksOwnTokenEndpointIsLeftAsItIs(Keycloak keycloak) {
        // No secret here: Keycloak logs a body it cannot decode as it came (docs/integration-developers.md, callout "Errors").
        Http.Reply stock = send(keycloak, "POST", "/protocol/openid-connect/token",
                new Undecodable("stock", List.of(FORM), "grant_type=client_credentials&scope=%zz"));
        assertEquals(500, stock.status(), "the guard is bound to this project's endpoints only: " + stock.body());
    }
}
