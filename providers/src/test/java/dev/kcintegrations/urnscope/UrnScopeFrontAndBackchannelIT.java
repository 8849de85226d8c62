package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.BrowserLogin;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The URN scope rules on the grants that start outside the token endpoint: device authorization, CIBA,
 * pushed authorization requests and request objects. Each refuses scopes of two audiences, and a
 * {@code resource} that names another audience, at the request itself — before a device code, a CIBA
 * call-out or a login exists.
 */
@KeycloakIntegrationTest
class UrnScopeFrontAndBackchannelIT {

    static final String CLIENT = "urn-grants-" + Long.toHexString(System.nanoTime());
    static final String SECRET = "urn-grants-secret";
    static final String REDIRECT = "http://127.0.0.1/callback";
    static String clientUuid;

    @BeforeAll
    static void createClient(Keycloak keycloak) {
        ObjectNode client = keycloak.admin().object();
        client.put("clientId", CLIENT).put("secret", SECRET).put("publicClient", false).put("standardFlowEnabled", true)
                .put("directAccessGrantsEnabled", false).put("serviceAccountsEnabled", false);
        client.putArray("redirectUris").add(REDIRECT);
        client.putObject("attributes")
                .put("oauth2.device.authorization.grant.enabled", "true")
                .put("oidc.ciba.grant.enabled", "true")
                .put("request.object.signature.alg", "none");
        client.putArray("defaultClientScopes").add("basic");
        client.putArray("optionalClientScopes").add(FS + "/use").add(FS + "/view").add(FA_ALL);
        clientUuid = keycloak.admin().create("/" + UrnDemo.REALM + "/clients", client);
    }

    @AfterAll
    static void deleteClient(Keycloak keycloak) {
        keycloak.admin().delete("/" + UrnDemo.REALM + "/clients/" + clientUuid);
    }

    static Http.Reply post(Keycloak keycloak, String path, Map<String, String> params) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        return Http.post(keycloak.realmUrl(UrnDemo.REALM, path),
                Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), UrnDemo.form(params));
    }

    static Http.Reply device(Keycloak keycloak, String... params) {
        return post(keycloak, "/protocol/openid-connect/auth/device", UrnDemo.params(params));
    }

    static Http.Reply ciba(Keycloak keycloak, String... params) {
        Map<String, String> all = UrnDemo.params("login_hint", "technician");
        all.putAll(UrnDemo.params(params));
        return post(keycloak, "/protocol/openid-connect/ext/ciba/auth", all);
    }

    static Http.Reply par(Keycloak keycloak, String... params) {
        Map<String, String> all = UrnDemo.params("response_type", "code", "redirect_uri", REDIRECT,
                "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method", "S256");
        all.putAll(UrnDemo.params(params));
        return post(keycloak, "/protocol/openid-connect/ext/par/request", all);
    }

    static void assertError(Http.Reply reply, String error) {
        assertEquals(400, reply.status(), reply.shown());
        assertEquals(error, reply.json().get("error").asText(), reply.shown());
    }

    @Test
    void deviceAuthorizationWithScopesOfTwoAudiencesIsInvalidScope(Keycloak keycloak) {
        assertError(device(keycloak, "scope", FS + "/use " + FA_ALL), "invalid_scope");
    }

    @Test
    void deviceAuthorizationWithOneAudienceGetsADeviceCode(Keycloak keycloak) {
        Http.Reply reply = device(keycloak, "scope", FS + "/use " + FS + "/view");
        assertEquals(200, reply.status(), reply.shown());
        assertTrue(reply.json().has("device_code"), reply.shown());
    }

    @Test
    void deviceAuthorizationWithAResourceOfAnotherAudienceIsInvalidTarget(Keycloak keycloak) {
        assertError(device(keycloak, "scope", FS + "/use", "resource", UrnDemo.FA), "invalid_target");
    }

    @Test
    void cibaRequestWithScopesOfTwoAudiencesIsInvalidScope(Keycloak keycloak) {
        Http.Reply reply = ciba(keycloak, "scope", "openid " + FS + "/use " + FA_ALL);
        assertError(reply, "invalid_scope");
        assertTrue(reply.json().get("error_description").asText().contains("different audiences"), reply.shown());
    }

    @Test
    void cibaRequestWithOneAudiencePassesTheRules(Keycloak keycloak) {
        // No authentication channel is configured here: a request our rules let through fails only there.
        Http.Reply reply = ciba(keycloak, "scope", "openid " + FS + "/use");
        assertTrue(reply.status() != 400 || !reply.json().path("error").asText().matches("invalid_scope|invalid_target"), reply.shown());
    }

    @Test
    void cibaRequestWithAResourceOfAnotherAudienceIsInvalidTarget(Keycloak keycloak) {
        assertError(ciba(keycloak, "scope", "openid " + FS + "/use", "resource", UrnDemo.FA), "invalid_target");
    }

    @Test
    void pushedAuthorizationRequestWithScopesOfTwoAudiencesIsInvalidScope(Keycloak keycloak) {
        assertError(par(keycloak, "scope", "openid " + FS + "/use " + FA_ALL), "invalid_scope");
    }

    @Test
    void pushedAuthorizationRequestWithAResourceOfAnotherAudienceIsInvalidTarget(Keycloak keycloak) {
        assertError(par(keycloak, "scope", "openid " + FS + "/use", "resource", UrnDemo.FA), "invalid_target");
    }

    @Test
    void pushedRequestWithOneAudienceIsAcceptedAndItsResourceCheckedAtTheAuthorizationEndpoint(Keycloak keycloak) {
        Http.Reply pushed = par(keycloak, "scope", "openid " + FS + "/use");
        assertEquals(201, pushed.status(), pushed.shown());
        String requestUri = pushed.json().get("request_uri").asText();
        // The front channel adds a resource of another audience to the pushed request.
        BrowserLogin.Step step = authorize(keycloak, "client_id=" + CLIENT + "&request_uri=" + encode(requestUri)
                + "&resource=" + encode(UrnDemo.FA));
        assertEquals("invalid_target", step.redirectParameter("error").orElse("no error: " + step.location()));
    }

    @Test
    void requestObjectWithAResourceOfAnotherAudienceIsInvalidTarget(Keycloak keycloak) {
        String claims = "{\"client_id\":\"" + CLIENT + "\",\"response_type\":\"code\",\"redirect_uri\":\"" + REDIRECT
                + "\",\"scope\":\"openid " + FS + "/use\",\"resource\":\"" + UrnDemo.FA + "\"}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String requestObject = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
        BrowserLogin.Step step = authorize(keycloak, "client_id=" + CLIENT + "&response_type=code&scope=openid&redirect_uri="
                + encode(REDIRECT) + "&request=" + requestObject);
        assertEquals("invalid_target", step.redirectParameter("error").orElse("no error: " + step.location()));
    }

    static BrowserLogin.Step authorize(Keycloak keycloak, String query) {
        URI uri = URI.create(keycloak.realmUrl(UrnDemo.REALM, "/protocol/openid-connect/auth") + "?" + query);
        return new BrowserLogin().follow(new BrowserLogin.Step(302, uri.toString(), ""));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
