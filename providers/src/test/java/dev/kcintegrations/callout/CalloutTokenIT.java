package dev.kcintegrations.callout;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.KeycloakLifespan;
import dev.kcintegrations.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.kcintegrations.callout.CalloutRequests.FORM;
import static dev.kcintegrations.callout.CalloutRequests.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a callout client sends gets a Coupa-shaped token from Keycloak's own client-credentials grant. */
@KeycloakIntegrationTest
class CalloutTokenIT {

    /** The request as the seed's Ruby/Faraday code puts it on the wire (Net::HTTP adds the last lines). */
    private static String seedRequest(Keycloak keycloak, String contentType, String body) {
        String auth = CalloutRequests.demoBasic();
        return "POST /realms/integrations/oauth-compat/token HTTP/1.1\r\n"
                + "User-Agent: Faraday v2.12.2\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Cache-Control: no-cache\r\n"
                + "Authorization: " + auth + "\r\n"
                + "Accept: application/json\r\n"
                + "Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3\r\n"
                + "Connection: close\r\n"
                + "Host: " + keycloak.baseUrl().getHost() + ":" + keycloak.baseUrl().getPort() + "\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "\r\n"
                + body;
    }

    private static void assertCalloutAnswer(Http.Reply reply, boolean withScope) {
        assertEquals(200, reply.status(), reply.shown());
        assertTrue(reply.header("content-type").orElseThrow().startsWith("application/json"));
        assertEquals("no-store", reply.header("cache-control").orElseThrow());
        JsonNode json = reply.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        List<String> expected = new ArrayList<>(List.of("access_token", "token_type", "expires_in"));
        if (withScope) {
            expected.add("scope");
        }
        assertEquals(expected, fields);
        assertEquals("bearer", json.get("token_type").asText());
        assertEquals(DemoRealm.COUPA_LIFESPAN, json.get("expires_in").asLong());
    }

    @Test
    void seedRequestWithFormBodyGetsAToken(Keycloak keycloak) {
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(), seedRequest(keycloak, FORM, "grant_type=client_credentials"));
        assertCalloutAnswer(reply, false);
    }

    @Test
    void seedRequestWithFormBodyAndScopeGetsAToken(Keycloak keycloak) {
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(),
                seedRequest(keycloak, FORM, "grant_type=client_credentials&scope=" + DemoRealm.CALLOUT_SCOPE));
        assertCalloutAnswer(reply, true);
        assertEquals(DemoRealm.CALLOUT_SCOPE, reply.json().get("scope").asText());
    }

    @Test
    void seedRequestWithJsonBodyGetsAToken(Keycloak keycloak) {
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(),
                seedRequest(keycloak, JSON, "{\"grant_type\":\"client_credentials\"}"));
        assertCalloutAnswer(reply, false);
    }

    @Test
    void seedRequestWithJsonBodyAndScopeGetsAToken(Keycloak keycloak) {
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(), seedRequest(keycloak, JSON,
                "{\"grant_type\":\"client_credentials\",\"scope\":\"" + DemoRealm.CALLOUT_SCOPE + "\"}"));
        assertCalloutAnswer(reply, true);
    }

    @Test
    void demoSecretEncodesDifferentlyInTheTwoAlphabets() {
        assertNotEquals(CalloutRequests.standardBasic(DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET),
                CalloutRequests.urlSafeBasic(DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET));
    }

    @Test
    void standardBase64BasicGetsAToken(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.post(keycloak,
                CalloutRequests.standardBasic(DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET), FORM, "grant_type=client_credentials");
        assertCalloutAnswer(reply, false);
    }

    @Test
    void unpaddedBasicGetsAToken(Keycloak keycloak) {
        String unpadded = CalloutRequests.demoBasic().replace("=", "");
        assertNotEquals(CalloutRequests.demoBasic(), unpadded);
        assertCalloutAnswer(CalloutRequests.post(keycloak, unpadded, FORM, "grant_type=client_credentials"), false);
    }

    @Test
    void lowerCaseBasicSchemeGetsAToken(Keycloak keycloak) {
        String lower = CalloutRequests.demoBasic().replace("Basic ", "basic ");
        assertCalloutAnswer(CalloutRequests.post(keycloak, lower, FORM, "grant_type=client_credentials"), false);
    }

    @Test
    void formBodyWithCharsetGetsAToken(Keycloak keycloak) {
        assertCalloutAnswer(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(),
                FORM + "; charset=UTF-8", "grant_type=client_credentials"), false);
    }

    @Test
    void jsonBodyWithCharsetGetsAToken(Keycloak keycloak) {
        assertCalloutAnswer(CalloutRequests.post(keycloak, CalloutRequests.demoBasic(),
                JSON + ";charset=utf-8", "{\"grant_type\":\"client_credentials\"}"), false);
    }

    @Test
    void clientIdAndSecretInFormBodyGetAToken(Keycloak keycloak) {
        String body = "grant_type=client_credentials&client_id=" + DemoRealm.COUPA_CLIENT
                + "&client_secret=" + URLEncoder.encode(DemoRealm.COUPA_SECRET, StandardCharsets.UTF_8);
        assertCalloutAnswer(CalloutRequests.post(keycloak, null, FORM, body), false);
    }

    @Test
    void clientIdAndSecretInJsonBodyGetAToken(Keycloak keycloak) {
        String body = "{\"grant_type\":\"client_credentials\",\"client_id\":\"" + DemoRealm.COUPA_CLIENT
                + "\",\"client_secret\":\"" + DemoRealm.COUPA_SECRET + "\"}";
        assertCalloutAnswer(CalloutRequests.post(keycloak, null, JSON, body), false);
    }

    @Test
    void secretWithPlusPercentAndColonWorksAsSent(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "odd-secret", "a+b%2Fc:d%zz")) {
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret),
                    FORM, "grant_type=client_credentials");
            assertEquals(200, reply.status(), reply.shown());
        }
    }

    @Test
    void secretWithPlusPercentAndColonWorksFormUrlEncodedAsRfc6749Says(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "odd-secret", "a+b%2Fc:d%zz")) {
            String encoded = URLEncoder.encode(client.secret, StandardCharsets.UTF_8);
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.standardBasic(client.clientId, encoded),
                    FORM, "grant_type=client_credentials");
            assertEquals(200, reply.status(), reply.shown());
        }
    }

    @Test
    void clientIdWithSpaceWorksFormUrlEncoded(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "acme callout", "plain-secret")) {
            String encodedId = URLEncoder.encode(client.clientId, StandardCharsets.UTF_8);
            assertTrue(encodedId.contains("+"));
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(encodedId, client.secret),
                    FORM, "grant_type=client_credentials");
            assertEquals(200, reply.status(), reply.shown());
        }
    }

    @Test
    void scopeIsAbsentFromTheAnswerWhenNoneWasRequested(Keycloak keycloak) {
        Http.Reply reply = CalloutRequests.demoForm(keycloak, "grant_type=client_credentials");
        assertFalse(reply.json().has("scope"));
    }

    @Test
    void answerCarriesNoRefreshOrIdToken(Keycloak keycloak) {
        JsonNode json = CalloutRequests.demoForm(keycloak, "grant_type=client_credentials&scope=openid " + DemoRealm.CALLOUT_SCOPE).json();
        assertFalse(json.has("refresh_token"));
        assertFalse(json.has("id_token"));
    }

    @Test
    void tokenVerifiesAgainstTheRealmJwksWithTheClientAsAzpAndItsLifespan(Keycloak keycloak) throws Exception {
        JsonNode answer = CalloutRequests.demoForm(keycloak, "grant_type=client_credentials").json();
        String token = answer.get("access_token").asText();
        SignedJWT jwt = SignedJWT.parse(token);
        JWKSet jwks = JWKSet.load(keycloak.realmUrl(DemoRealm.REALM, "/protocol/openid-connect/certs").toURL());
        assertTrue(jwt.verify(new RSASSAVerifier(jwks.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey())));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(DemoRealm.COUPA_CLIENT, claims.getStringClaim("azp"));
        assertEquals(keycloak.realmUrl(DemoRealm.REALM, "").toString(), claims.getIssuer());
        KeycloakLifespan.assertLifespan(DemoRealm.COUPA_LIFESPAN, claims.getIssueTime().getTime() / 1000,
                claims.getExpirationTime().getTime() / 1000);
        assertEquals(DemoRealm.COUPA_LIFESPAN, answer.get("expires_in").asLong(), "the configured lifespan, whatever exp - iat is");
    }

    @Test
    void demoClientTokenIsAbout890CharactersWellUnderThe1258ClientsWereTestedWith(Keycloak keycloak) {
        String token = CalloutRequests.demoForm(keycloak, "grant_type=client_credentials&scope=" + DemoRealm.CALLOUT_SCOPE)
                .json().get("access_token").asText();
        System.out.printf("coupa-callout access token length: %d characters (limit 1258)%n", token.length());
        // docs/administrators.md quotes "about 890": ids and timestamps vary the length by a few characters only.
        assertTrue(token.length() >= 860 && token.length() <= 920, "token has " + token.length() + " characters");
    }

    @Test
    void issuedTokenIsRecordedAsAClientLoginEvent(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "event-check", "event-secret")) {
            assertEquals(200, CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret),
                    FORM, "grant_type=client_credentials").status());
            JsonNode events = keycloak.admin().get("/" + DemoRealm.REALM + "/events?type=CLIENT_LOGIN&client=" + client.clientId);
            assertEquals(1, events.size(), events.toString());
            assertEquals("oauth-compat", events.get(0).get("details").get("endpoint").asText());
            assertEquals("client_credentials", events.get(0).get("details").get("grant_type").asText());
        }
    }

    @Test
    void clientLifespanIsHonouredWhenShorterThanTheDemo(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "short-lived", "short-secret",
                rep -> rep.putObject("attributes").put("access.token.lifespan", "600"))) {
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret),
                    FORM, "grant_type=client_credentials");
            assertEquals(600, reply.json().get("expires_in").asLong());
        }
    }
}
