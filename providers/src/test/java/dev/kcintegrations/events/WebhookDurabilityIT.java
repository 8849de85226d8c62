package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nothing committed is lost when the server crashes: pending deliveries survive kill -9 and go out after
 * the restart. Runs on its own server (it gets killed), with a short retry schedule and lease.
 */
@OwnServerTest
class WebhookDurabilityIT {

    static final String ENGINE = "--spi-events-listener--webhook-events--";
    private static KeycloakServer server;

    @BeforeAll
    static void startOwnServer() {
        // WRITE_DELAY=0: the dev database (H2 file) writes each commit to its file before the commit returns.
        // With its default (500 ms) a kill -9 loses the last half second of commits, ours and Keycloak's alike,
        // so "committed" would mean "committed a while ago" (production runs PostgreSQL: see ClusterIT).
        server = KeycloakServers.startDistribution("ess-durability", List.of("--db-url-properties=;WRITE_DELAY=0",
                ENGINE + "retry-schedule=1s", ENGINE + "connect-timeout=2s", ENGINE + "read-timeout=5s", ENGINE + "attempt-timeout=8s", ENGINE + "lease=10s"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void pendingDeliveriesSurviveKillMinusNine() {
        Keycloak keycloak = new Keycloak(server);
        int events = 20;
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("durable");
            assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/durable")).status());
            receiver.stop();
            Set<String> published = new HashSet<>();
            for (int i = 0; i < events; i++) {
                published.add(app.publishTest("crash" + i).json().get("id").asText());
            }
            Ess.awaitDelivery(app, id, d -> d.get("attempts").asInt() >= 1);

            server.kill();
            receiver.restart();
            server = server.restart();
            keycloak = new Keycloak(server);

            List<WebhookReceiver.Received> received = receiver.awaitEvents(r -> r.body().contains("\"crash"), events, Duration.ofSeconds(90));
            Set<String> delivered = new HashSet<>();
            received.forEach(r -> delivered.add(WebhookReceiver.json(r).get("id").asText()));
            int duplicates = received.size() - delivered.size();
            System.out.printf("kill -9 with %d pending: sent %d, delivered %d distinct, duplicates %d, lost %d%n",
                    events, events, delivered.size(), duplicates, published.size() - delivered.size());
            assertEquals(published, delivered, "every committed event is delivered after the restart");
            Ess after = Ess.application(keycloak, app.clientId());
            // The receiver has every event; the outcome of the last ones may still be on its way to the database
            // (several are sent at once): every delivery must turn DELIVERED, none stay pending or be parked.
            List<JsonNode> outbox = Await.until("every delivery recorded DELIVERED", Duration.ofSeconds(10), () -> after.deliveries(id, null),
                    rows -> rows.stream().allMatch(d -> d.get("status").asText().equals("DELIVERED")));
            assertEquals(events, outbox.size(), outbox.toString());
            for (JsonNode delivery : outbox) {
                assertEquals("DELIVERED", delivery.get("status").asText(), delivery.toString());
            }
        }
    }
}
