package dev.kcintegrations.callout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static dev.kcintegrations.callout.CalloutRequests.FORM;
import static dev.kcintegrations.callout.CalloutRequests.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal is RFC 6749 §5.2 JSON with the right status, and never leaks the secret. */
@KeycloakIntegrationTest
class CalloutTokenErrorsIT {

    private static final String GRANT = "grant_type=client_credentials";

    private static void assertOAuthError(Http.Reply reply, int status, String error) {
        assertEquals(status, reply.status(), reply.shown());
        assertTrue(reply.header("content-type").orElse("").startsWith("application/json"), reply.headers().toString());
        JsonNode json = reply.json();
        assertEquals(error, json.get("error").asText(), reply.shown());
        assertTrue(json.hasNonNull("error_description"), reply.shown());
        assertFalse(reply.body().contains(DemoRealm.COUPA_SECRET), "secret in the answer");
    }

    private static void assertBasicChallenge(Http.Reply reply) {
        assertEquals("Basic realm=\"integrations\"", reply.header("www-authenticate").orElse(null));
    }

    @Test
    void noCredentialsIs401InvalidClientWithABasicChallenge(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak, null, FORM, GRANT);
        assertOAuthError(reply, 401, "invalid_client");
        assertBasicChallenge(reply);
    }

    @Test
    void nonBasicAuthorizationIs401InvalidClient(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, "Bearer abc.def.ghi", FORM, GRANT), 401, "invalid_client");
    }

    @Test
    void basicWithoutCredentialsIs401InvalidClient(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak, "Basic", FORM, GRANT);
        assertOAuthError(reply, 401, "invalid_client");
        assertBasicChallenge(reply);
    }

    @Test
    void invalidBase64Is401InvalidClient(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak, "Basic !!not*base64!!", FORM, GRANT);
        assertOAuthError(reply, 401, "invalid_client");
        assertBasicChallenge(reply);
    }

    @Test
    void base64MixingBothAlphabetsIs401InvalidClient(Keycloak keycloak) {
        // The right credentials, form-url-encoded in part (RFC 6749 §2.3.1) so that their standard Base64 has
        // two '+': with both as '+', or both as '-', they get a token; one of each is no encoder's output.
        String credentials = DemoRealm.COUPA_CLIENT + ":%43%61lloutDemo~%53ecret>01";
        assertEquals(DemoRealm.COUPA_SECRET, URLDecoder.decode(credentials.substring(credentials.indexOf(':') + 1), StandardCharsets.UTF_8));
        String standard = Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, standard.chars().filter(c -> c == '+').count(), standard);
        assertEquals(200, CalloutRequests.post(keycloak, "Basic " + standard, FORM, GRANT).status(), "standard alphabet");
        assertEquals(200, CalloutRequests.post(keycloak, "Basic " + standard.replace('+', '-'), FORM, GRANT).status(), "URL-safe alphabet");

        Http.Reply reply = CalloutRequests.post(keycloak, "Basic " + standard.replaceFirst("\\+", "-"), FORM, GRANT);
        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void credentialsWithoutColonAre401InvalidClient(Keycloak keycloak) {
        String noColon = "Basic " + Base64.getUrlEncoder().encodeToString("coupa-callout".getBytes(StandardCharsets.UTF_8));
        assertOAuthError(CalloutRequests.post(keycloak, noColon, FORM, GRANT), 401, "invalid_client");
    }

    @Test
    void wrongSecretIs401InvalidClientWithABasicChallenge(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(DemoRealm.COUPA_CLIENT, "wrong"), FORM, GRANT);
        assertOAuthError(reply, 401, "invalid_client");
        assertBasicChallenge(reply);
    }

    @Test
    void unknownClientIsAnsweredLikeAWrongSecret(Keycloak keycloak) {
        Http.Reply unknown = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic("no-such-client", "x"), FORM, GRANT);
        Http.Reply wrong = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(DemoRealm.COUPA_CLIENT, "x"), FORM, GRANT);
        assertOAuthError(unknown, 401, "invalid_client");
        assertEquals(wrong.body(), unknown.body());
    }

    @Test
    void wrongSecretInBodyIs401InvalidClient(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak, null, FORM, GRANT + "&client_id=coupa-callout&client_secret=wrong");
        assertOAuthError(reply, 401, "invalid_client");
    }

    @Test
    void publicClientIs401UnauthorizedClient(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "public", "unused", rep -> rep.put("publicClient", true))) {
            assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, "unused"), FORM, GRANT),
                    401, "unauthorized_client");
        }
    }

    @Test
    void bearerOnlyClientIs401UnauthorizedClient(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "bearer-only", "bo-secret", rep -> rep.put("bearerOnly", true))) {
            assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret), FORM, GRANT),
                    401, "unauthorized_client");
        }
    }

    @Test
    void clientWithServiceAccountDisabledIs401UnauthorizedClient(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "no-sa", "no-sa-secret",
                rep -> rep.put("serviceAccountsEnabled", false))) {
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret), FORM, GRANT);
            assertOAuthError(reply, 401, "unauthorized_client");
            assertBasicChallenge(reply);
        }
    }

    @Test
    void disabledClientIs401InvalidClient(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "disabled", "d-secret", rep -> rep.put("enabled", false))) {
            assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret), FORM, GRANT),
                    401, "invalid_client");
        }
    }

    @Test
    void clientAuthenticatingWithSignedJwtIs401UnauthorizedClient(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "jwt-client", "jwt-secret",
                rep -> rep.put("clientAuthenticatorType", "client-jwt"))) {
            assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret), FORM, GRANT),
                    401, "unauthorized_client");
        }
    }

    @Test
    void missingGrantTypeIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, "scope=" + DemoRealm.CALLOUT_SCOPE), 400, "invalid_request");
    }

    @Test
    void otherGrantTypeIs400UnsupportedGrantType(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, "grant_type=password&username=a&password=b"), 400, "unsupported_grant_type");
    }

    @Test
    void unknownScopeIs400InvalidScope(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, GRANT + "&scope=no-such-scope"), 400, "invalid_scope");
    }

    @Test
    void duplicateFormParameterIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, GRANT + "&" + GRANT), 400, "invalid_request");
    }

    @Test
    void malformedJsonIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON, "{\"grant_type\":"), 400, "invalid_request");
    }

    @Test
    void jsonArrayIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON, "[\"client_credentials\"]"), 400, "invalid_request");
    }

    @Test
    void jsonNonStringValueIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON,
                "{\"grant_type\":\"client_credentials\",\"scope\":[\"a\"]}"), 400, "invalid_request");
    }

    @Test
    void duplicateJsonKeyIs400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON,
                "{\"grant_type\":\"client_credentials\",\"grant_type\":\"password\"}"), 400, "invalid_request");
    }

    @Test
    void basicAndBodyCredentialsTogetherAre400InvalidRequest(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, GRANT + "&client_id=coupa-callout&client_secret=x"), 400, "invalid_request");
    }

    @Test
    void otherMediaTypeIs415(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), "text/plain", GRANT), 415, "invalid_request");
    }

    @Test
    void missingContentTypeIs415(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), null, GRANT), 415, "invalid_request");
    }

    @Test
    void unknownCharsetIs415(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON + "; charset=klingon",
                "{\"grant_type\":\"client_credentials\"}"), 415, "invalid_request");
    }

    @Test
    void jsonBodyOver64KiBIs413(Keycloak keycloak) {
        String big = "{\"grant_type\":\"client_credentials\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertOAuthError(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(), JSON, big), 413, "invalid_request");
    }

    @Test
    void formBodyOver64KiBIs413(Keycloak keycloak) {
        assertOAuthError(CalloutRequests.demoForm(keycloak, GRANT + "&pad=" + "x".repeat(70 * 1024)), 413, "invalid_request");
    }

    @Test
    void getIs405WithAllowPost(Keycloak keycloak) {
        Http.Reply reply = Http.get(CalloutRequests.endpoint(keycloak), Map.of("Authorization", CalloutRequests.demoBasic()));
        assertOAuthError(reply, 405, "invalid_request");
        assertTrue(reply.header("allow").orElse("").contains("POST"));
    }

    @Test
    void putIs405(Keycloak keycloak) {
        Http.Reply reply = Http.send("PUT", CalloutRequests.endpoint(keycloak), CalloutRequests.headers(CalloutRequests.demoBasic(), FORM),
                GRANT.getBytes(StandardCharsets.UTF_8));
        assertOAuthError(reply, 405, "invalid_request");
    }

    @Test
    void refusalIsAClientLoginErrorEventWithAReadableReasonAndNoSecret(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "refused", "the-real-secret")) {
            String wrongSecret = "wrong-secret-" + client.clientId;
            CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, wrongSecret), FORM, GRANT);
            JsonNode events = keycloak.admin().get("/" + DemoRealm.REALM + "/events?type=CLIENT_LOGIN_ERROR&client=" + client.clientId);
            assertEquals(1, events.size(), events.toString());
            JsonNode event = events.get(0);
            assertEquals("invalid_client_credentials", event.get("error").asText());
            assertEquals("Invalid client secret", event.get("details").get("reason").asText());
            assertFalse(event.toString().contains(wrongSecret));
            assertFalse(keycloak.logTail(400).contains(wrongSecret), "secret in the server log");
        }
    }

    @Test
    void unknownClientEventSaysClientNotFound(Keycloak keycloak) {
        String clientId = "ghost-" + System.nanoTime();
        CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(clientId, "x"), FORM, GRANT);
        JsonNode events = keycloak.admin().get("/" + DemoRealm.REALM + "/events?type=CLIENT_LOGIN_ERROR&client=" + clientId);
        assertEquals(1, events.size(), events.toString());
        assertEquals("client_not_found", events.get(0).get("error").asText());
    }
}
