package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin console's Realm settings → Environment tab writes the realm attributes the rules read. */
@KeycloakIntegrationTest
class EnvironmentTabIT {

    private static final String TYPE = "org.keycloak.services.ui.extend.UiTabProvider";

    private static ObjectNode component(Keycloak keycloak, String realmId, String environment, String fsUrl) {
        ObjectNode rep = keycloak.admin().object().put("name", "Environment").put("providerId", "Environment")
                .put("providerType", TYPE).put("parentId", realmId);
        ObjectNode config = rep.putObject("config");
        config.putArray("environmentName").add(environment);
        config.putArray("fsUrl").add(fsUrl);
        return rep;
    }

    @Test
    void savingTheTabSetsTheRealmAttributes(Keycloak keycloak) {
        String realm = "env-" + System.nanoTime();
        keycloak.admin().call("POST", "", keycloak.admin().object().put("realm", realm).put("enabled", true));
        try {
            String realmId = keycloak.admin().get("/" + realm).get("id").asText();
            keycloak.admin().create("/" + realm + "/components", component(keycloak, realmId, "prod07", "https://prod07.fs.example.com"));
            var attributes = keycloak.admin().get("/" + realm).get("attributes");
            assertEquals("prod07", attributes.get("environmentName").asText());
            assertEquals("https://prod07.fs.example.com", attributes.get("fsUrl").asText());
        } finally {
            keycloak.admin().delete("/" + realm);
        }
    }

    /** Each rule of the tab, broken alone, is a 400 naming that rule; the realm keeps its environment. */
    @Test
    void eachInvalidFieldIsRefusedWithItsOwnMessage(Keycloak keycloak) {
        String realmId = keycloak.admin().get("/" + UrnDemo.REALM).get("id").asText();
        record Case(String environment, String fsUrl, String faUrl, String message) {
        }
        for (Case c : List.of(
                new Case("has spaces", "https://fs.example.com", null, "environmentName must be 1 to 64 letters, digits, dots, underscores or hyphens"),
                new Case("e".repeat(65), "https://fs.example.com", null, "environmentName must be 1 to 64 letters, digits, dots, underscores or hyphens"),
                new Case("prod02", "http://not-https.example.com", null, "fsUrl must be an absolute https URL"),
                new Case("prod02", "fs.example.com", null, "fsUrl must be an absolute https URL"),
                new Case("prod02", "https://fs.example.com", "http://fa.example.com", "faUrl must be an absolute https URL"),
                new Case("prod02", "", null, "fsUrl is required"))) {
            ObjectNode rep = component(keycloak, realmId, c.environment(), c.fsUrl());
            if (c.faUrl() != null) {
                ((ObjectNode) rep.get("config")).putArray("faUrl").add(c.faUrl());
            }
            Http.Reply reply = keycloak.admin().call("POST", "/" + UrnDemo.REALM + "/components", rep);
            assertEquals(400, reply.status(), c + ": " + reply.body());
            assertTrue(reply.body().contains(c.message()), c + ": " + reply.body());
        }
        assertEquals("demo01", keycloak.admin().get("/" + UrnDemo.REALM).get("attributes").get("environmentName").asText());
    }
}
