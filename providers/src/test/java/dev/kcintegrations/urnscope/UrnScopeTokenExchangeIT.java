package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8693 token exchange on the standard endpoint obeys the URN scope rules. */
@KeycloakIntegrationTest
class UrnScopeTokenExchangeIT {

    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    /** The technician's token from the plugin, whose audience names field-service-integration. */
    private static String userToken(Keycloak keycloak) {
        Http.Reply reply = UrnDemo.password(keycloak, "openid");
        assertEquals(200, reply.status(), reply.shown());
        String token = reply.json().get("access_token").asText();
        assertTrue(UrnDemo.audiences(UrnDemo.claims(token)).contains(UrnDemo.INTEGRATION));
        return token;
    }

    private static Http.Reply exchange(Keycloak keycloak, String subjectToken, String scope) {
        return UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET, UrnDemo.form(UrnDemo.params(
                "grant_type", TOKEN_EXCHANGE, "subject_token", subjectToken, "subject_token_type", ACCESS_TOKEN_TYPE, "scope", scope)));
    }

    @Test
    void exchangeForOneAudienceGetsExactlyThatAudienceForTheSameUser(Keycloak keycloak) {
        String subject = userToken(keycloak);
        JsonNode claims = UrnDemo.accessClaims(exchange(keycloak, subject, FS + "/use"));
        assertEquals(List.of(FS), UrnDemo.audiences(claims));
        assertTrue(UrnDemo.scopes(claims).contains(FS + "/use"));
        assertEquals(UrnDemo.claims(subject).get("sub").asText(), claims.get("sub").asText());
        assertEquals(UrnDemo.INTEGRATION, claims.get("azp").asText());
    }

    @Test
    void exchangeMixingAudiencesIsInvalidScope(Keycloak keycloak) {
        UrnDemo.assertRefused(exchange(keycloak, userToken(keycloak), FS + "/use " + FA_ALL), "invalid_scope", UrnDemo.FA);
    }

    @Test
    void exchangeForAScopeTheRequesterMayNotHaveIsInvalidScope(Keycloak keycloak) {
        try (TestScopes.Scope extra = TestScopes.urnScope(keycloak, FS, "/not-for-integration")) {
            UrnDemo.assertRefused(exchange(keycloak, userToken(keycloak), extra.name()), "invalid_scope", extra.name());
        }
    }

    @Test
    void exchangedTokenIsBoundToTheSubjectTokensSession(Keycloak keycloak) {
        String subject = userToken(keycloak);
        JsonNode claims = UrnDemo.accessClaims(exchange(keycloak, subject, FS + "/use"));
        assertEquals(UrnDemo.claims(subject).get("sid").asText(), claims.get("sid").asText());
    }
}
