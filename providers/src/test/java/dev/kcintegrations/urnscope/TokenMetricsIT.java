package dev.kcintegrations.urnscope;

import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.Metrics;
import org.junit.jupiter.api.Test;

import java.util.Map;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token requests and URN refusals are counted on Keycloak's metrics endpoint. */
@KeycloakIntegrationTest
class TokenMetricsIT {

    @Test
    void clientCredentialsOnTheStandardEndpointCountsAsSuccess(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"success\"");
        assertEquals(200, UrnDemo.integration(keycloak, UrnDemo.FS + "/use").status());
        assertTrue(Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"success\"") >= before + 1);
    }

    @Test
    void urnRefusalIsCountedByErrorAndGrant(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_scope\"", "grant=\"service_account_token_request\"");
        assertEquals(400, UrnDemo.integration(keycloak, UrnDemo.FS + "/use " + UrnDemo.FA_ALL).status());
        assertEquals(before + 1, Metrics.sum(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_scope\"", "grant=\"service_account_token_request\""));
    }

    @Test
    void refusedClientCredentialsCountAsErrors(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"error\"");
        UrnDemo.integration(keycloak, UrnDemo.FS + "/nope");
        assertTrue(Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"error\"") >= before + 1);
    }

    @Test
    void resourceMismatchIsCountedAsInvalidTarget(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_target\"", "grant=\"service_account_token_request\"");
        Http.Reply refused = UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET, UrnDemo.form(UrnDemo.params(
                "grant_type", "client_credentials", "scope", UrnDemo.FS + "/use", "resource", "urn:opc:resource:somewhere:else")));
        assertEquals(400, refused.status(), refused.shown());
        assertEquals("invalid_target", refused.json().get("error").asText(), refused.body());
        assertEquals(before + 1, Metrics.sum(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_target\"", "grant=\"service_account_token_request\""));
    }

    @Test
    void pluginTokensAreCountedUnderTheirEndpoint(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"plugin-api\"", "outcome=\"success\"");
        String user = UrnDemo.password(keycloak, "openid").json().get("access_token").asText();
        Http.Reply reply = Http.post(keycloak.realmUrl(UrnDemo.REALM, "/plugin-api"),
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + user),
                "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"m\",\"procedure\":\"getAccessTokenByScope\","
                        + "\"params\":{\"scope\":\"" + UrnDemo.FS + "/use\"}}");
        assertEquals(200, reply.status(), reply.shown());
        assertEquals(before + 1, Metrics.sum(keycloak, "kci_tokens_issued_total", "endpoint=\"plugin-api\"", "outcome=\"success\""));
    }
}
