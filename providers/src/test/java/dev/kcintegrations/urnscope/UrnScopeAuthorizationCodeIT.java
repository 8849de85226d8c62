package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.BrowserLogin;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URN scopes through the authorization endpoint: the plugin's authorization code + PKCE flow and consent. */
@KeycloakIntegrationTest
class UrnScopeAuthorizationCodeIT {

    private static final String REDIRECT = "http://127.0.0.1/callback";

    private static URI authEndpoint(Keycloak keycloak) {
        return keycloak.realmUrl(UrnDemo.REALM, "/protocol/openid-connect/auth");
    }

    @Test
    void authorizationCodeWithOneAudienceGetsExactlyThatAudience(Keycloak keycloak) {
        BrowserLogin browser = new BrowserLogin();
        BrowserLogin.Step login = browser.authorize(authEndpoint(keycloak), UrnDemo.PLUGIN, REDIRECT, "openid " + FS + "/use", Map.of());
        assertEquals(200, login.status(), login.html());
        BrowserLogin.Step back = browser.signIn(login, "technician", "technician");
        String code = back.redirectParameter("code").orElseThrow(() -> new AssertionError("no code: " + back.location()));
        Http.Reply token = Http.post(UrnDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                UrnDemo.form(UrnDemo.params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                        "client_id", UrnDemo.PLUGIN, "code_verifier", browser.codeVerifier())));
        JsonNode claims = UrnDemo.accessClaims(token);
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertTrue(UrnDemo.scopes(claims).contains(FS + "/use"));
    }

    @Test
    void mixedAudiencesAtTheAuthorizationEndpointRedirectWithInvalidScope(Keycloak keycloak) {
        BrowserLogin.Step step = new BrowserLogin().authorize(authEndpoint(keycloak), UrnDemo.PLUGIN, REDIRECT,
                "openid " + FS + "/use " + FA_ALL, Map.of());
        assertEquals(302, step.status(), step.html());
        assertTrue(step.location().startsWith(REDIRECT), step.location());
        assertEquals("invalid_scope", step.redirectParameter("error").orElse(null), step.location());
    }

    @Test
    void consentPageShowsTheScopeDescriptionInJapanese(Keycloak keycloak) {
        String clientId = "consent-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode rep = keycloak.admin().object().put("clientId", clientId).put("publicClient", true)
                .put("consentRequired", true).put("standardFlowEnabled", true);
        rep.putArray("redirectUris").add(REDIRECT);
        rep.putArray("defaultClientScopes").add("basic");
        rep.putArray("optionalClientScopes").add(FS + "/use");
        String id = keycloak.admin().create("/" + UrnDemo.REALM + "/clients", rep);
        try {
            BrowserLogin browser = new BrowserLogin();
            BrowserLogin.Step login = browser.authorize(authEndpoint(keycloak), clientId, REDIRECT, "openid " + FS + "/use",
                    Map.of("ui_locales", "ja"));
            BrowserLogin.Step consent = browser.follow(browser.signIn(login, "technician", "technician"));
            assertEquals(200, consent.status(), "expected the consent page, got " + consent.location());
            assertTrue(consent.html().contains("モバイル要員の計画"), consent.html());
        } finally {
            keycloak.admin().delete("/" + UrnDemo.REALM + "/clients/" + id);
        }
    }
}
