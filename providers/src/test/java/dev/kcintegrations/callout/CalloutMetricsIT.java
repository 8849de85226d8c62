package dev.kcintegrations.callout;

import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** oauth-compat token requests are counted by outcome on Keycloak's metrics endpoint. */
@KeycloakIntegrationTest
class CalloutMetricsIT {

    static double issued(Keycloak keycloak, String outcome) {
        String body = Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of()).body();
        Matcher m = Pattern.compile("(?m)^kci_tokens_issued_total\\{endpoint=\"oauth-compat\",outcome=\"" + outcome + "\",?}\\s+([0-9.Ee+-]+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void issuedCalloutTokenIsCountedAsSuccess(Keycloak keycloak) {
        double before = issued(keycloak, "success");
        Http.Reply reply = Http.post(keycloak.realmUrl(DemoRealm.REALM, "/oauth-compat/token"),
                Map.of("Authorization", CalloutRequests.demoBasic(), "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials");
        assertEquals(200, reply.status(), reply.shown());
        assertTrue(issued(keycloak, "success") >= before + 1);
    }

    @Test
    void wrongSecretIsCountedAsError(Keycloak keycloak) {
        double before = issued(keycloak, "error");
        Http.Reply reply = Http.post(keycloak.realmUrl(DemoRealm.REALM, "/oauth-compat/token"),
                Map.of("Authorization", CalloutRequests.standardBasic(DemoRealm.COUPA_CLIENT, "wrong"),
                        "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials");
        assertEquals(401, reply.status(), reply.shown());
        assertTrue(issued(keycloak, "error") >= before + 1);
    }
}
