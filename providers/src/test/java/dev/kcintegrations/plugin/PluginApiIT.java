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

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /realms/integrations/plugin-api}: getAccessTokenByScope for the signed-in technician. */
@KeycloakIntegrationTest
class PluginApiIT {

    static final String REALM = "integrations";
    static final String FS = "urn:opc:resource:fusion:demo01:field-service-common";
    static final String FA_ALL = "urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all";
    static final String PLUGIN = "field-service-plugin";

    static URI api(Keycloak keycloak) {
        return keycloak.realmUrl(REALM, "/plugin-api");
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static JsonNode signIn(Keycloak keycloak, String clientId, String scope) {
        Map<String, String> params = new LinkedHashMap<>(Map.of("grant_type", "password", "client_id", clientId,
                "username", "technician", "password", "technician", "scope", scope));
        Http.Reply reply = Http.post(keycloak.realmUrl(REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"), form(params));
        assertEquals(200, reply.status(), reply.body());
        return reply.json();
    }

    static String userToken(Keycloak keycloak) {
        return signIn(keycloak, PLUGIN, "openid").get("access_token").asText();
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
        return Http.post(api(keycloak), headers, body);
    }

    static JsonNode claims(String jwt) {
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void assertError(Http.Reply reply, int status, String type, String code) {
        assertEquals(status, reply.status(), reply.body());
        JsonNode json = reply.json();
        assertEquals(1, json.get("apiVersion").asInt());
        assertEquals("error", json.get("method").asText());
        assertEquals(type, json.get("errors").get(0).get("type").asText(), reply.body());
        assertEquals(code, json.get("errors").get(0).get("code").asText(), reply.body());
    }

    // --- success

    @Test
    void tokenByScopeIsTheUsersTokenForExactlyTheResource(Keycloak keycloak) {
        String user = userToken(keycloak);
        Http.Reply reply = post(keycloak, user, call("1111111111", "\"" + FS + "/use\""));
        assertEquals(200, reply.status(), reply.body());
        JsonNode json = reply.json();
        assertEquals(1, json.get("apiVersion").asInt());
        assertEquals("callProcedureResult", json.get("method").asText());
        assertEquals("1111111111", json.get("callId").asText());
        assertEquals("getAccessTokenByScope", json.get("procedure").asText());
        assertEquals("success", json.get("resultData").get("status").asText());
        assertEquals("", json.get("resultData").get("detail").asText());
        JsonNode claims = claims(json.get("resultData").get("token").asText());
        assertEquals(claims(user).get("sub").asText(), claims.get("sub").asText());
        assertEquals(PLUGIN, claims.get("azp").asText());
        assertEquals(FS, claims.get("aud").asText());
        assertEquals(FS + "/use", claims.get("scope").asText());
        assertEquals(3600, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertEquals(claims(user).get("sid").asText(), claims.get("sid").asText());
    }

    @Test
    void tokenByScopeIsRecordedAsATokenExchangeEvent(Keycloak keycloak) {
        String user = userToken(keycloak);
        long before = System.currentTimeMillis();
        Http.Reply reply = post(keycloak, user, call("evt", "\"" + FS + "/view\""));
        assertEquals(200, reply.status(), reply.body());
        JsonNode events = keycloak.admin().get("/" + REALM + "/events?type=TOKEN_EXCHANGE&client=" + PLUGIN + "&max=5");
        assertTrue(events.size() >= 1, events.toString());
        JsonNode event = events.get(0); // newest first
        assertTrue(event.get("time").asLong() >= before - 1000, "the event of this call: " + event);
        assertEquals(FS + "/view", event.get("details").get("scope").asText());
        assertEquals(claims(user).get("sub").asText(), event.get("userId").asText(), "recorded for the signed-in user");
    }

    /** The resource server introspects: Keycloak 26.7 requires the introspecting client in the token's aud. */
    @Test
    void loggingOutTheUsersSessionEndsThePluginToken(Keycloak keycloak) {
        ObjectNode resourceServer = keycloak.admin().object().put("clientId", FS).put("publicClient", false)
                .put("standardFlowEnabled", false).put("secret", "resource-server-secret");
        String id = keycloak.admin().create("/" + REALM + "/clients", resourceServer);
        try {
            String user = userToken(keycloak);
            String token = post(keycloak, user, call("lo", "\"" + FS + "/use\"")).json().get("resultData").get("token").asText();
            assertTrue(introspect(keycloak, token).get("active").asBoolean());
            keycloak.admin().delete("/" + REALM + "/sessions/" + claims(user).get("sid").asText());
            assertFalse(introspect(keycloak, token).get("active").asBoolean());
        } finally {
            keycloak.admin().delete("/" + REALM + "/clients/" + id);
        }
    }

    static JsonNode introspect(Keycloak keycloak, String token) {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (URLEncoder.encode(FS, StandardCharsets.UTF_8) + ":resource-server-secret").getBytes(StandardCharsets.UTF_8));
        return Http.post(keycloak.realmUrl(REALM, "/protocol/openid-connect/token/introspect"),
                Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), "token=" + token).json();
    }

    // --- the envelope's own errors

    /** Found by the fuzz test: GET used to get JAX-RS's {"error":"HTTP 404 Not Found"}. */
    @Test
    void anotherHttpMethodIs405InTheEnvelope(Keycloak keycloak) {
        Http.Reply reply = Http.get(api(keycloak), Map.of("Authorization", "Bearer " + userToken(keycloak)));
        assertError(reply, 405, "TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED");
        assertEquals("POST, OPTIONS", reply.header("Allow").orElse(""));
    }

    @Test
    void unparseableJsonIsJsonInvalidWithNullCallId(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), "{\"apiVersion\":1,");
        assertError(reply, 400, "TYPE_INTERNAL", "CODE_JSON_INVALID");
        assertTrue(reply.json().get("callId").isNull());
    }

    @Test
    void anotherMethodIsMethodNotSupportedWithTheCallIdEchoed(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), "{\"apiVersion\":1,\"method\":\"open\",\"callId\":\"42\"}");
        assertError(reply, 400, "TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED");
        assertEquals("42", reply.json().get("callId").asText());
    }

    @Test
    void unknownProcedureIsProcedureUnknownNamingIt(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak),
                "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"7\",\"procedure\":\"getSomething\",\"params\":{}}");
        assertError(reply, 400, "TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_UNKNOWN");
        assertEquals("getSomething", reply.json().get("errors").get(0).get("procedure").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\"", "42", "true", "{}", "[\"a\"]"})
    void scopeThatIsNotANonEmptyStringIsParamValueInvalid(String scopeJson, Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), call("p", scopeJson));
        assertError(reply, 400, "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
    }

    @Test
    void missingScopeIsParamValueInvalid(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak),
                "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"m\",\"procedure\":\"getAccessTokenByScope\",\"params\":{}}");
        assertError(reply, 400, "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
    }

    // --- bearer token

    @Test
    void missingBearerTokenIs401WithAChallenge(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, null, call("u", "\"" + FS + "/use\""));
        assertError(reply, 401, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
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
            shortLived = userToken(keycloak);
        } finally {
            if (lifespan == null) {
                ((ObjectNode) client.get("attributes")).remove("access.token.lifespan");
            } else {
                ((ObjectNode) client.get("attributes")).put("access.token.lifespan", lifespan);
            }
            keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        }
        assertEquals(1, claims(shortLived).get("exp").asLong() - claims(shortLived).get("iat").asLong(), "a one-second token");
        Http.Reply reply = Await.until("the one-second token refused", Duration.ofSeconds(10),
                () -> post(keycloak, shortLived, call("x", "\"" + FS + "/use\"")), r -> r.status() != 200);
        assertError(reply, 401, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void tamperedTokenIs401(Keycloak keycloak) {
        String token = userToken(keycloak);
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertError(post(keycloak, tampered, call("t", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void tokenOfAnotherRealmIs401(Keycloak keycloak) {
        String master = Http.post(keycloak.realmUrl("master", "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=admin-cli&username=admin&password=admin").json().get("access_token").asText();
        assertError(post(keycloak, master, call("r", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    @Test
    void revokedBearerTokenIs401(Keycloak keycloak) {
        String user = userToken(keycloak);
        keycloak.admin().delete("/" + REALM + "/sessions/" + claims(user).get("sid").asText());
        assertError(post(keycloak, user, call("rv", "\"" + FS + "/use\"")), 401,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
    }

    // --- client and scope rules

    @Test
    void clientNotEnabledForPluginTokensIs403(Keycloak keycloak) {
        try (PluginClient client = PluginClient.create(keycloak, false, false)) {
            String token = signIn(keycloak, client.clientId(), "openid").get("access_token").asText();
            assertError(post(keycloak, token, call("c", "\"" + FS + "/use\"")), 403,
                    "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_CLIENT_NOT_ENABLED");
        }
    }

    @Test
    void twoAudiencesInOneScopeStringAreScopeInvalid(Keycloak keycloak) {
        assertError(post(keycloak, userToken(keycloak), call("x", "\"" + FS + "/use " + FA_ALL + "\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void unknownSuffixIsScopeInvalid(Keycloak keycloak) {
        assertError(post(keycloak, userToken(keycloak), call("x", "\"" + FS + "/nope\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void nonUrnScopeIsScopeInvalid(Keycloak keycloak) {
        assertError(post(keycloak, userToken(keycloak), call("x", "\"profile\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
    }

    @Test
    void scopeThePluginClientWasNotGivenIs403(Keycloak keycloak) {
        assertError(post(keycloak, userToken(keycloak), call("x", "\"" + FA_ALL + "\"")), 403,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED");
    }

    @Test
    void nativeAppClientGetsTheNativeNames(Keycloak keycloak) {
        try (PluginClient client = PluginClient.create(keycloak, true, true)) {
            String token = signIn(keycloak, client.clientId(), "openid").get("access_token").asText();
            assertError(post(keycloak, token, call("n", "\"" + FS + "/nope\"")), 400,
                    "TYPE_PROCEDURE_GET_ACCESS_TOKEN_NATIVE_ERROR", "CODE_GET_ACCESS_TOKEN_NATIVE_SCOPE_INVALID");
        }
    }

    @Test
    void offlineSessionTokenIsOfflineNotSupported(Keycloak keycloak) {
        JsonNode signIn = signIn(keycloak, PLUGIN, "openid offline_access");
        keycloak.admin().delete("/" + REALM + "/sessions/" + claims(signIn.get("access_token").asText()).get("sid").asText());
        Http.Reply refreshed = Http.post(keycloak.realmUrl(REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form(Map.of("grant_type", "refresh_token", "client_id", PLUGIN, "refresh_token", signIn.get("refresh_token").asText())));
        assertEquals(200, refreshed.status(), refreshed.body());
        assertError(post(keycloak, refreshed.json().get("access_token").asText(), call("o", "\"" + FS + "/use\"")), 400,
                "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_OFFLINE_NOT_SUPPORTED");
    }

    // --- environment and CORS

    @Test
    void environmentComesFromTheRealmAttributes(Keycloak keycloak) {
        Http.Reply reply = Http.get(keycloak.realmUrl(REALM, "/plugin-api/environment"),
                Map.of("Authorization", "Bearer " + userToken(keycloak)));
        assertEquals(200, reply.status(), reply.body());
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
                "Authorization", "Bearer " + userToken(keycloak));
        Http.Reply reply = Http.post(api(keycloak), headers, call("cors", "\"" + FS + "/use\""));
        assertEquals("http://localhost:8080", reply.header("access-control-allow-origin").orElse(null), reply.headers().toString());
    }

    @Test
    void corsPreflightAllowsThePluginToPostWithABearerToken(Keycloak keycloak) {
        Http.Reply reply = Http.send("OPTIONS", api(keycloak), Map.of("Origin", "http://localhost:8080",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"), null);
        assertEquals(200, reply.status(), reply.body());
        assertEquals("http://localhost:8080", reply.header("access-control-allow-origin").orElse(null), reply.headers().toString());
        assertTrue(reply.header("access-control-allow-methods").orElse("").contains("POST"), reply.headers().toString());
        assertTrue(reply.header("access-control-allow-headers").orElse("").toLowerCase().contains("authorization"),
                reply.headers().toString());
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
            rep.putArray("optionalClientScopes").add(FS + "/use");
            return new PluginClient(keycloak, keycloak.admin().create("/" + REALM + "/clients", rep), clientId);
        }

        @Override
        public void close() {
            keycloak.admin().delete("/" + REALM + "/clients/" + id);
        }
    }
}
