package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Audience-scoped URN scopes on the grants that issue tokens from the token endpoints. */
@KeycloakIntegrationTest
class UrnScopeIT {

    // --- client credentials, standard endpoint

    @Test
    void clientCredentialsWithOneAudienceGetsExactlyThatAudienceAndTheScopes(Keycloak keycloak) {
        JsonNode claims = UrnDemo.accessClaims(UrnDemo.integration(keycloak, FS + "/use " + FS + "/view"));
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertEquals(new TreeSet<>(List.of(FS + "/use", FS + "/view")), UrnDemo.scopes(claims));
    }

    @Test
    void fusionScopeGetsTheFusionAudience(Keycloak keycloak) {
        JsonNode claims = UrnDemo.accessClaims(UrnDemo.integration(keycloak, FA_ALL));
        assertEquals(List.of(UrnDemo.FA), UrnDemo.audiences(claims));
        assertEquals(Set.of(FA_ALL), UrnDemo.scopes(claims));
    }

    @Test
    void mixedAudiencesAreRejectedWithInvalidScopeNamingBoth(Keycloak keycloak) {
        Http.Reply reply = UrnDemo.integration(keycloak, FS + "/use " + FA_ALL);
        UrnDemo.assertRefused(reply, "invalid_scope", FS);
        assertTrue(reply.json().get("error_description").asText().contains(UrnDemo.FA), reply.shown());
    }

    @Test
    void unknownSuffixIsInvalidScope(Keycloak keycloak) {
        UrnDemo.assertRefused(UrnDemo.integration(keycloak, FS + "/nope"), "invalid_scope", FS + "/nope");
    }

    @Test
    void scopeTheClientWasNotGivenIsInvalidScope(Keycloak keycloak) {
        try (TestScopes.Client client = TestScopes.confidentialClient(keycloak, List.of(FS + "/view"))) {
            Http.Reply reply = UrnDemo.clientCredentials(keycloak, client.clientId(), client.secret(),
                    UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", FS + "/use")));
            UrnDemo.assertRefused(reply, "invalid_scope", FS + "/use");
        }
    }

    @Test
    void anotherEnvironmentsAudienceIsInvalidScope(Keycloak keycloak) {
        String otherAudience = "urn:opc:resource:fusion:test99:field-service-common";
        try (TestScopes.Scope scope = TestScopes.urnScope(keycloak, otherAudience, "/use");
             TestScopes.Client client = TestScopes.confidentialClient(keycloak, List.of(scope.name()))) {
            Http.Reply reply = UrnDemo.clientCredentials(keycloak, client.clientId(), client.secret(),
                    UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", scope.name())));
            UrnDemo.assertRefused(reply, "invalid_scope", "demo01");
        }
    }

    @Test
    void resourceNamingTheAudienceIsAccepted(Keycloak keycloak) {
        Http.Reply reply = UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET,
                UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", FS + "/use", "resource", FS)));
        assertEquals(List.of(FS), UrnDemo.audiences(UrnDemo.accessClaims(reply)));
    }

    @Test
    void resourceNamingAnotherAudienceIsInvalidTarget(Keycloak keycloak) {
        Http.Reply reply = UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET,
                UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", FS + "/use", "resource", UrnDemo.FA)));
        UrnDemo.assertRefused(reply, "invalid_target", FS);
    }

    /** Keycloak's token endpoint refuses a repeated parameter before any client policy runs. */
    @Test
    void twoResourcesAreRefusedBeforeAnyTokenIsIssued(Keycloak keycloak) {
        String body = UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", FS + "/use", "resource", FS))
                + "&resource=" + URLEncoder.encode(UrnDemo.FA, StandardCharsets.UTF_8);
        UrnDemo.assertRefused(UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET, body),
                "invalid_request", "duplicated parameter");
    }

    /** Stock audiences of the plugin: its audience mapper's client, and 'account' from the user's roles. */
    @Test
    void requestWithoutUrnScopesKeepsKeycloaksAudiences(Keycloak keycloak) {
        JsonNode claims = UrnDemo.accessClaims(UrnDemo.password(keycloak, "openid"));
        assertEquals(new TreeSet<>(List.of(UrnDemo.INTEGRATION, "account")), new TreeSet<>(UrnDemo.audiences(claims)));
    }

    // --- the callout endpoint obeys the same rules

    @Test
    void oauthCompatGetsExactlyTheAudience(Keycloak keycloak) {
        Http.Reply reply = Http.post(keycloak.realmUrl(UrnDemo.REALM, "/oauth-compat/token"),
                Map.of("Authorization", urlSafeBasic(UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET), "Content-Type", "application/json"),
                "{\"grant_type\":\"client_credentials\",\"scope\":\"" + FS + "/use\"}");
        assertEquals(200, reply.status(), reply.shown());
        assertEquals(FS + "/use", reply.json().get("scope").asText());
        assertEquals(List.of(FS), UrnDemo.audiences(UrnDemo.claims(reply.json().get("access_token").asText())));
    }

    @Test
    void oauthCompatRejectsMixedAudiencesWithInvalidScope(Keycloak keycloak) {
        Http.Reply reply = Http.post(keycloak.realmUrl(UrnDemo.REALM, "/oauth-compat/token"),
                Map.of("Authorization", urlSafeBasic(UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET), "Content-Type", "application/json"),
                "{\"grant_type\":\"client_credentials\",\"scope\":\"" + FS + "/use " + FA_ALL + "\"}");
        UrnDemo.assertRefused(reply, "invalid_scope", UrnDemo.FA);
    }

    // --- resource owner password (enabled for the demo plugin)

    @Test
    void passwordGrantGetsExactlyTheAudienceDespiteTheRolesScope(Keycloak keycloak) {
        JsonNode claims = UrnDemo.accessClaims(UrnDemo.password(keycloak, "openid " + FS + "/use"));
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertTrue(UrnDemo.scopes(claims).contains(FS + "/use"));
        assertTrue(UrnDemo.scopes(claims).contains("openid"));
    }

    @Test
    void passwordGrantWithMixedAudiencesIsRefusedAndLeavesNoSession(Keycloak keycloak) {
        String userId = keycloak.admin().get("/" + UrnDemo.REALM + "/users?username=technician&exact=true").get(0).get("id").asText();
        int before = keycloak.admin().get("/" + UrnDemo.REALM + "/users/" + userId + "/sessions").size();
        UrnDemo.assertRefused(UrnDemo.password(keycloak, FS + "/use " + FA_ALL), "invalid_scope", FS);
        assertEquals(before, keycloak.admin().get("/" + UrnDemo.REALM + "/users/" + userId + "/sessions").size());
    }

    @Test
    void idTokenKeepsTheClientAsAudience(Keycloak keycloak) {
        Http.Reply reply = UrnDemo.password(keycloak, "openid " + FS + "/use");
        assertEquals(List.of(UrnDemo.PLUGIN), UrnDemo.audiences(UrnDemo.claims(reply.json().get("id_token").asText())));
    }

    // --- refresh

    private static Http.Reply refresh(Keycloak keycloak, String refreshToken, String scope) {
        Map<String, String> params = UrnDemo.params("grant_type", "refresh_token", "client_id", UrnDemo.PLUGIN, "refresh_token", refreshToken);
        if (scope != null) {
            params.put("scope", scope);
        }
        return Http.post(UrnDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"), UrnDemo.form(params));
    }

    @Test
    void refreshKeepsTheAudience(Keycloak keycloak) {
        String refreshToken = UrnDemo.password(keycloak, "openid " + FS + "/use").json().get("refresh_token").asText();
        JsonNode claims = UrnDemo.accessClaims(refresh(keycloak, refreshToken, null));
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertTrue(UrnDemo.scopes(claims).contains(FS + "/use"));
    }

    @Test
    void refreshCanNarrowTheScopes(Keycloak keycloak) {
        String refreshToken = UrnDemo.password(keycloak, "openid " + FS + "/use " + FS + "/view").json().get("refresh_token").asText();
        JsonNode claims = UrnDemo.accessClaims(refresh(keycloak, refreshToken, "openid " + FS + "/view"));
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertTrue(UrnDemo.scopes(claims).contains(FS + "/view"));
        assertTrue(!UrnDemo.scopes(claims).contains(FS + "/use"), claims.toString());
    }

    @Test
    void refreshCannotWidenTheScopes(Keycloak keycloak) {
        String refreshToken = UrnDemo.password(keycloak, "openid " + FS + "/view").json().get("refresh_token").asText();
        Http.Reply reply = refresh(keycloak, refreshToken, "openid " + FS + "/view " + FS + "/setup");
        UrnDemo.assertRefused(reply, "invalid_scope", FS + "/setup");
    }

    // --- dynamic (parameterized) scopes split on ':'

    @Test
    void parameterizedScopesAreOffSoUrnScopesAreMatchedByTheirWholeName(Keycloak keycloak) {
        JsonNode feature = null;
        for (JsonNode candidate : keycloak.admin().serverInfo().get("features")) {
            if (candidate.get("name").asText().equals("PARAMETERIZED_SCOPES")) {
                feature = candidate;
            }
        }
        assertTrue(feature != null, "the server lists no PARAMETERIZED_SCOPES feature");
        assertTrue(!feature.get("enabled").asBoolean(), "parameterized scopes would parse 'urn:…' on ':'");
        assertEquals(Set.of(FS + "/use"), UrnDemo.scopes(UrnDemo.accessClaims(UrnDemo.integration(keycloak, FS + "/use"))));
    }

    private static String urlSafeBasic(String id, String secret) {
        return "Basic " + Base64.getUrlEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

}
