package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.events.HostileReceiver.Behaviour;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhook receivers that answer like attackers — an endless header line (which once took the JVM's heap in
 * 1.2 s), 10,000 headers, a 1 GiB body, one byte a second, no answer, a TLS handshake that stalls — cost the
 * server one bounded, failed attempt each. The server stays up and ready, and a healthy subscription keeps
 * receiving while they are being tried.
 */
@KeycloakIntegrationTest
class HostileReceiverIT {

    static final List<Behaviour> ANSWERS = List.of(Behaviour.ENDLESS_HEADER_LINE, Behaviour.ENDLESS_STATUS_LINE,
            Behaviour.TEN_THOUSAND_HEADERS, Behaviour.GIGABYTE_BODY, Behaviour.ONE_BYTE_PER_SECOND, Behaviour.SILENT);
    static final Map<Behaviour, String> REASONS = Map.of(
            Behaviour.ENDLESS_HEADER_LINE, "answer header too large",
            Behaviour.ENDLESS_STATUS_LINE, "answer header too large",
            Behaviour.TEN_THOUSAND_HEADERS, "answer has too many headers",
            Behaviour.ONE_BYTE_PER_SECOND, "attempt deadline exceeded",
            Behaviour.SILENT, "receiver silent for read-timeout (10 s)"); // ends before the 15 s attempt deadline

    @Test
    void hostileAnswersToDeliveriesLeaveTheServerReadyAndAHealthySubscriptionReceiving(Keycloak keycloak) {
        Map<Behaviour, HostileReceiver> hostile = new EnumMap<>(Behaviour.class);
        try (WebhookReceiver healthy = WebhookReceiver.start()) {
            Ess first = Ess.application(keycloak);
            Ess second = Ess.application(keycloak);
            String healthyId = Ess.uniqueId("healthy");
            assertEquals(200, first.subscribe(healthyId, ".*", "public.test", healthy.url("/healthy")).status());
            Map<Behaviour, String> ids = new EnumMap<>(Behaviour.class);
            Map<Behaviour, Ess> owners = new EnumMap<>(Behaviour.class);
            for (Behaviour behaviour : ANSWERS) {
                HostileReceiver receiver = HostileReceiver.start(); // answers OK while being verified
                hostile.put(behaviour, receiver);
                String id = Ess.uniqueId(behaviour.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                Ess owner = ids.size() < 3 ? first : second;
                assertEquals(200, owner.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
                ids.put(behaviour, id);
                owners.put(behaviour, owner);
                receiver.behave(behaviour);
            }

            // Each application's test event reaches its own subscriptions: the first app's includes the healthy one.
            for (int round = 0; round < 4; round++) {
                String marker = "round-" + round + "-" + System.nanoTime();
                second.publishTest(marker);
                assertEquals(202, first.publishTest(marker).status());
                healthy.awaitEvents(r -> r.body().contains(marker), 1, Duration.ofSeconds(10));
                assertReady(keycloak);
                Await.pause(Duration.ofSeconds(4));
            }

            for (Behaviour behaviour : ANSWERS) {
                JsonNode delivery = Ess.awaitDelivery(owners.get(behaviour), ids.get(behaviour),
                        d -> d.get("attempts").asInt() >= 1);
                if (behaviour == Behaviour.GIGABYTE_BODY) {
                    assertEquals("DELIVERED", delivery.get("status").asText(), delivery.toString());
                } else {
                    assertTrue(delivery.get("attemptLog").get(0).get("error").asText().contains(REASONS.get(behaviour)), behaviour + ": " + delivery);
                }
                assertTrue(hostile.get(behaviour).bytesPushed() < 64L << 20, behaviour + " pushed " + hostile.get(behaviour).bytesPushed());
            }
            assertReady(keycloak);
        } finally {
            hostile.values().forEach(HostileReceiver::close);
        }
    }

    /** Five hostile endpoints verified at once, each by an application of its own (one may verify one at a time). */
    @Test
    void verificationAgainstAHostileReceiverIsA400ThatSaysWhy(Keycloak keycloak) {
        List<HostileReceiver> receivers = new ArrayList<>();
        try {
            Map<Behaviour, CompletableFuture<Http.Reply>> replies = new EnumMap<>(Behaviour.class);
            for (Behaviour behaviour : List.of(Behaviour.ENDLESS_HEADER_LINE, Behaviour.TEN_THOUSAND_HEADERS,
                    Behaviour.SILENT, Behaviour.ONE_BYTE_PER_SECOND, Behaviour.STALLED_HANDSHAKE)) {
                HostileReceiver receiver = HostileReceiver.start().behave(behaviour);
                receivers.add(receiver);
                URI endpoint = receiver.url(behaviour == Behaviour.STALLED_HANDSHAKE ? "https" : "http", "/verify");
                Ess app = Ess.application(keycloak);
                replies.put(behaviour, CompletableFuture.supplyAsync(() ->
                        app.subscribe(Ess.uniqueId("verify"), ".*", "public.test", endpoint)));
            }
            replies.forEach((behaviour, reply) -> {
                Http.Reply answer = reply.join();
                assertEquals(400, answer.status(), behaviour + ": " + answer.body());
                // A handshake that stalls is silence too: read-timeout (10 s) ends it before the 15 s deadline.
                String expected = behaviour == Behaviour.STALLED_HANDSHAKE ? REASONS.get(Behaviour.SILENT) : REASONS.get(behaviour);
                assertTrue(answer.json().get("message").asText().contains(expected), behaviour + ": " + answer.body());
            });
            assertReady(keycloak);
        } finally {
            receivers.forEach(HostileReceiver::close);
        }
    }

    static void assertReady(Keycloak keycloak) {
        Http.Reply ready = Http.get(keycloak.managementUrl().resolve("/health/ready"), Map.of());
        assertEquals(200, ready.status(), ready.shown());
    }
}
