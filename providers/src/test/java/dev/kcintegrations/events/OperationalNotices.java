package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Applications that subscribe to {@code keycloak.webhooks}, and what their receivers are told. */
final class OperationalNotices {

    static final String[] OPERATIONS = {"events.topic.read", "events.webhooks.read"};

    private OperationalNotices() {
    }

    /** An application whose service account holds realm-management view-events: it sees every application's. */
    static String administratorsApplication(Keycloak keycloak) {
        String clientId = Ess.newApplication(keycloak, OPERATIONS);
        String client = keycloak.admin().clientUuid(Ess.REALM, clientId);
        String account = keycloak.admin().get("/" + Ess.REALM + "/clients/" + client + "/service-account-user").get("id").asText();
        String management = keycloak.admin().clientUuid(Ess.REALM, "realm-management");
        JsonNode role = keycloak.admin().get("/" + Ess.REALM + "/clients/" + management + "/roles/view-events");
        Http.Reply added = keycloak.admin().call("POST", "/" + Ess.REALM + "/users/" + account + "/role-mappings/clients/" + management, List.of(role));
        assertEquals(204, added.status(), added.shown());
        return clientId;
    }

    static boolean about(WebhookReceiver.Received received, String eventType, String subscriptionId) {
        JsonNode body = WebhookReceiver.json(received);
        return eventType.equals(body.path("eventType").asText()) && subscriptionId.equals(body.at("/facts/subscriptionId").asText());
    }

    static JsonNode facts(WebhookReceiver.Received received) {
        return WebhookReceiver.json(received).get("facts");
    }
}
