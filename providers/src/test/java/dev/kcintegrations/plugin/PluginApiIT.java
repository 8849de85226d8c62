package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static dev.kcintegrations.plugin.PluginCalls.PLUGIN;
import static dev.kcintegrations.plugin.PluginCalls.FA_ALL;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static dev.kcintegrations.plugin.PluginCalls.REALM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /realms/integrations/plugin-api}: getAccessTokenByScope for the signed-in technician. */
@KeycloakIntegrationTest
class PluginApiIT {

    // --- success

    @Test
    void tokenByScopeIsTheUsersTokenForExactlyTheResource(Keycloak keycloak) {
        String user = PluginCalls.userToken(keycloak);
        Http.Reply reply = PluginCalls.post(keycloak, user, PluginCalls.call("1111111111", "\"" + FS + "/use\""));
        assertEquals(200, reply.status(), reply.shown());
        JsonNode json = reply.json();
        assertEquals(1, json.get("apiVersion").asInt());
        assertEquals("callProcedureResult", json.get("method").asText());
        assertEquals("1111111111", json.get("callId").asText());
        assertEquals("getAccessTokenByScope", json.get("procedure").asText());
        assertEquals("success", json.get("resultData").get("status").asText());
        assertEquals("", json.get("resultData").get("detail").asText());
        JsonNode claims = PluginCalls.claims(json.get("resultData").get("token").asText());
        assertEquals(PluginCalls.claims(user).get("sub").asText(), claims.get("sub").asText());
        assertEquals(PLUGIN, claims.get("azp").asText());
        assertEquals(FS, claims.get("aud").asText());
        assertEquals(FS + "/use", claims.get("scope").asText());
        assertEquals(3600, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertEquals(PluginCalls.claims(user).get("sid").asText(), claims.get("sid").asText());
    }

    @Test
    void tokenByScopeIsRecordedAsATokenExchangeEvent(Keycloak keycloak) {
        String user = PluginCalls.userToken(keycloak);
        long before = System.currentTimeMillis();
        Http.Reply reply = PluginCalls.post(keycloak, user, PluginCalls.call("evt", "\"" + FS + "/view\""));
        assertEquals(200, reply.status(), reply.shown());
        JsonNode events = keycloak.admin().get("/" + REALM + "/events?type=TOKEN_EXCHANGE&client=" + PLUGIN + "&max=5");
        assertTrue(events.size() >= 1, events.toString());
        JsonNode event = events.get(0); // newest first
        assertTrue(event.get("time").asLong() >= before - 1000, "the event of this call: " + event);
        assertEquals(FS + "/view", event.get("details").get("scope").asText());
        assertEquals(PluginCalls.claims(user).get("sub").asText(), event.get("userId").asText(), "recorded for the signed-in user");
    }

    /** The resource server introspects: Keycloak 26.7 requires the introspecting client in the token's aud. */
    @Test
    void loggingOutTheUsersSessionEndsThePluginToken(Keycloak keycloak) {
        ObjectNode resourceServer = keycloak.admin().object().put("clientId", FS).put("publicClient", false)
                .put("standardFlowEnabled", false).put("secret", "resource-server-secret");
        String id = keycloak.admin().create("/" + REALM + "/clients", resourceServer);
        try {
            String user = PluginCalls.userToken(keycloak);
            String token = PluginCalls.post(keycloak, user, PluginCalls.call("lo", "\"" + FS + "/use\"")).json().get("resultData").get("token").asText();
            assertTrue(PluginCalls.introspect(keycloak, token).get("active").asBoolean());
            keycloak.admin().delete("/" + REALM + "/sessions/" + PluginCalls.claims(user).get("sid").asText());
            assertFalse(PluginCalls.introspect(keycloak, token).get("active").asBoolean());
        } finally {
            keycloak.admin().delete("/" + REALM + "/clients/" + id);
        }
    }

    // --- the envelope's own errors

    /** Found by the fuzz test: GET used to get JAX-RS's {"error":"HTTP 404 Not Found"}. */
    @Test
    void anotherHttpMethodIs405InTheEnvelope(Keycloak keycloak) {
        Http.Reply reply = Http.get(PluginCalls.api(keycloak), Map.of("Authorization", "Bearer " + PluginCalls.userToken(keycloak)));
        PluginCalls.assertError(reply, 405, "TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED");
        assertEquals("POST, OPTIONS", reply.header("Allow").orElse(""));
    }

    @Test
    void unparseableJsonIsJsonInvalidWithNullCallId(Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), "{\"apiVersion\":1,");
        PluginCalls.assertError(reply, 400, "TYPE_INTERNAL", "CODE_JSON_INVALID");
        assertTrue(reply.json().get("callId").isNull());
    }

    @Test
    void anotherMethodIsMethodNotSupportedWithTheCallIdEchoed(Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), "{\"apiVersion\":1,\"method\":\"open\",\"callId\":\"42\"}");
        PluginCalls.assertError(reply, 400, "TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED");
        assertEquals("42", reply.json().get("callId").asText());
    }

    @Test
    void unknownProcedureIsProcedureUnknownNamingIt(Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak),
                "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"7\",\"procedure\":\"getSomething\",\"params\":{}}");
        PluginCalls.assertError(reply, 400, "TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_UNKNOWN");
        assertEquals("getSomething", reply.json().get("errors").get(0).get("procedure").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\"", "42", "true", "{}", "[\"a\"]"})
    void scopeThatIsNotANonEmptyStringIsParamValueInvalid(String scopeJson, Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("p", scopeJson));
        PluginCalls.assertError(reply, 400, "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
    }

    @Test
    void missingScopeIsParamValueInvalid(Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak),
                "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"m\",\"procedure\":\"getAccessTokenByScope\",\"params\":{}}");
        PluginCalls.assertError(reply, 400, "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
    }

    // --- bearer token

    @Test
    void missingBearerTokenIs401WithAChallenge(Keycloak keycloak) {
        Http.Reply reply = PluginCalls.post(keycloak, null, PluginCalls.call("u", "\"" + FS + "/use\""));
        PluginCalls.assertError(reply, 401, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
        assertEquals("Bearer", reply.header("www-authenticate").orElse(null));
        assertEquals("u", reply.json().get("callId").asText());
    }

    @Test
    void expiredBearerTokenIs401(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        String lifespan = client.path("attributes").path("access.token.lifespan").asText(null);
        ((ObjectNode) client.get("attributes")).put("access.token.lifespan", "1");
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        String shortLived;
        try {
            shortLived = PluginCalls.userToken(keycloak);
        } finally {
            // Keycloak keeps an attribute an update leaves out; an empty one is what removes it
            ((ObjectNode) client.get("attributes")).put("access.token.lifespan", lifespan == null ? "" : lifespan);
            keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        }
        assertEquals(1, PluginCalls.claims(shortLived).get("exp").asLong() - PluginCalls.claims(shortLived).get("iat").asLong(), "a one-second token");
        Http.Reply reply = Await.until("the one-second token refused", Duration.ofSeconds(10),
                () -> PluginCalls.post(keycloak, shortLived, PluginCalls.call("x", "\"" + FS + "/use\"")), r -> r.status() != 200);
        PluginCalls.assertError(reply, 401, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void tamperedTokenIs401(Keycloak keycloak) {
        String token = PluginCalls.userToken(keycloak);
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        PluginCalls.assertError(PluginCalls.post(keycloak, tampered, PluginCalls.call("t", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void tokenOfAnotherRealmIs401(Keycloak keycloak) {
        String master = Http.post(keycloak.realmUrl("master", "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=admin-cli&username=admin&password=admin").json().get("access_token").asText();
        PluginCalls.assertError(PluginCalls.post(keycloak, master, PluginCalls.call("r", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void revokedBearerTokenIs401(Keycloak keycloak) {
        String user = PluginCalls.userToken(keycloak);
        keycloak.admin().delete("/" + REALM + "/sessions/" + PluginCalls.claims(user).get("sid").asText());
        PluginCalls.assertError(PluginCalls.post(keycloak, user, PluginCalls.call("rv", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    // --- client and scope rules

    @Test
    void clientNotEnabledForPluginTokensIs403(Keycloak keycloak) {
        try (PluginCalls.PluginClient client = PluginCalls.PluginClient.create(keycloak, false, false)) {
            String token = PluginCalls.signIn(keycloak, client.clientId(), "openid").get("access_token").asText();
            PluginCalls.assertError(PluginCalls.post(keycloak, token, PluginCalls.call("c", "\"" + FS + "/use\"")), 403,
                    "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_CLIENT_NOT_ENABLED");
        }
    }

    @Test
    void twoAudiencesInOneScopeStringAreScopeInvalid(Keycloak keycloak) {
        PluginCalls.assertError(PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("x", "\"" + FS + "/use " + FA_ALL + "\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void unknownSuffixIsScopeInvalid(Keycloak keycloak) {
        PluginCalls.assertError(PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("x", "\"" + FS + "/nope\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void nonUrnScopeIsScopeInvalid(Keycloak keycloak) {
        PluginCalls.assertError(PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("x", "\"profile\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void scopeThePluginClientWasNotGivenIs403(Keycloak keycloak) {
        PluginCalls.assertError(PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("x", "\"" + FA_ALL + "\"")), 403,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED");
    }

    @Test
    void nativeAppClientGetsTheNativeNames(Keycloak keycloak) {
        try (PluginCalls.PluginClient client = PluginCalls.PluginClient.create(keycloak, true, true)) {
            String token = PluginCalls.signIn(keycloak, client.clientId(), "openid").get("access_token").asText();
            PluginCalls.assertError(PluginCalls.post(keycloak, token, PluginCalls.call("n", "\"" + FS + "/nope\"")), 400,
                    "TYPE_PROCEDURE_GET_ACCESS_TOKEN_NATIVE_ERROR", "CODE_GET_ACCESS_TOKEN_NATIVE_SCOPE_INVALID");
        }
    }

    @Test
    void offlineSessionTokenIsOfflineNotSupported(Keycloak keycloak) {
        JsonNode signIn = PluginCalls.signIn(keycloak, PLUGIN, "openid offline_access");
        keycloak.admin().delete("/" + REALM + "/sessions/" + PluginCalls.claims(signIn.get("access_token").asText()).get("sid").asText());
        Http.Reply refreshed = Http.post(keycloak.realmUrl(REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                PluginCalls.form(Map.of("grant_type", "refresh_token", "client_id", PLUGIN, "refresh_token", signIn.get("refresh_token").asText())));
        assertEquals(200, refreshed.status(), refreshed.shown());
        PluginCalls.assertError(PluginCalls.post(keycloak, refreshed.json().get("access_token").asText(), PluginCalls.call("o", "\"" + FS + "/use\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_OFFLINE_NOT_SUPPORTED");
    }

    // --- environment and CORS

    @Test
    void environmentComesFromTheRealmAttributes(Keycloak keycloak) {
        Http.Reply reply = Http.get(keycloak.realmUrl(REALM, "/plugin-api/environment"),
                Map.of("Authorization", "Bearer " + PluginCalls.userToken(keycloak)));
        assertEquals(200, reply.status(), reply.shown());
        assertEquals("demo01", reply.json().get("environmentName").asText());
        assertEquals("https://demo01.fs.ocs.oraclecloud.com", reply.json().get("fsUrl").asText());
        assertEquals("https://demo01.fa.ocs.oraclecloud.com", reply.json().get("faUrl").asText());
    }

    @Test
    void environmentWithoutBearerIs401(Keycloak keycloak) {
        assertEquals(401, Http.get(keycloak.realmUrl(REALM, "/plugin-api/environment"), Map.of()).status());
    }

    @Test
    void pluginOriginGetsCorsHeaders(Keycloak keycloak) {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Origin", "http://localhost:8080",
                "Authorization", "Bearer " + PluginCalls.userToken(keycloak));
        Http.Reply reply = Http.post(PluginCalls.api(keycloak), headers, PluginCalls.call("cors", "\"" + FS + "/use\""));
        assertEquals("http://localhost:8080", reply.header("access-control-allow-origin").orElse(null), reply.headers().toString());
    }

    @Test
    void corsPreflightAllowsThePluginToPostWithABearerToken(Keycloak keycloak) {
        Http.Reply reply = Http.send("OPTIONS", PluginCalls.api(keycloak), Map.of("Origin", "http://localhost:8080",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"), null);
        assertEquals(200, reply.status(), reply.shown());
        assertEquals("http://localhost:8080", reply.header("access-control-allow-origin").orElse(null), reply.headers().toString());
        assertTrue(reply.header("access-control-allow-methods").orElse("").contains("POST"), reply.headers().toString());
        assertTrue(reply.header("access-control-allow-headers").orElse("").toLowerCase().contains("authorization"),
                reply.headers().toString());
    }

}
