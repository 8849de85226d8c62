package dev.kcintegrations.urnscope;

import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token requests and URN refusals are counted on Keycloak's metrics endpoint. */
@KeycloakIntegrationTest
class TokenMetricsIT {

    static double metric(Keycloak keycloak, String name, String... labels) {
        String body = Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of()).body();
        double total = 0;
        Matcher lines = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)}\\s+([0-9.Ee+-]+)$").matcher(body);
        while (lines.find()) {
            boolean all = true;
            for (String label : labels) {
                all &= lines.group(1).contains(label);
            }
            if (all) {
                total += Double.parseDouble(lines.group(2));
            }
        }
        return total;
    }

    @Test
    void clientCredentialsOnTheStandardEndpointCountsAsSuccess(Keycloak keycloak) {
        double before = metric(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"success\"");
        assertEquals(200, UrnDemo.integration(keycloak, UrnDemo.FS + "/use").status());
        assertTrue(metric(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"success\"") >= before + 1);
    }

    @Test
    void urnRefusalIsCountedByErrorAndGrant(Keycloak keycloak) {
        double before = metric(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_scope\"", "grant=\"service_account_token_request\"");
        assertEquals(400, UrnDemo.integration(keycloak, UrnDemo.FS + "/use " + UrnDemo.FA_ALL).status());
        assertEquals(before + 1, metric(keycloak, "kci_urn_scope_refusals_total", "error=\"invalid_scope\"", "grant=\"service_account_token_request\""));
    }

    @Test
    void refusedClientCredentialsCountAsErrors(Keycloak keycloak) {
        double before = metric(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"error\"");
        UrnDemo.integration(keycloak, UrnDemo.FS + "/nope");
        assertTrue(metric(keycloak, "kci_tokens_issued_total", "endpoint=\"token\"", "outcome=\"error\"") >= before + 1);
    }
}
