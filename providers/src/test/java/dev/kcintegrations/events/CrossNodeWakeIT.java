package dev.kcintegrations.events;

import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.ClusterTest;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes whose safety-net poll is an hour: every delivery here is started by a wake-up. A capture on
 * either node reaches the subscription's lane wherever it runs (the lane reads until its queue is empty and
 * keeps the subscription while the other node captures for it), or is claimed by the node that captured it.
 * A wake-up lost anywhere shows as an event that does not arrive.
 */
@ClusterTest
class CrossNodeWakeIT {

    static KeycloakCluster cluster;
    static Keycloak node1;
    static Keycloak node2;

    @BeforeAll
    static void startCluster() {
        cluster = KeycloakCluster.start("cross-node-wake", List.of(Ess.ENGINE + "poll-interval=1h",
                "--spi-events-listener--webhook-events--test-events-per-minute=1000"), KeycloakCluster.Jit.QUICK);
        node1 = new Keycloak(cluster.node(1));
        node2 = new Keycloak(cluster.node(2));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eventsPublishedOnBothNodesInTurnAllArriveWithoutPolling() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String clientId = Ess.newApplication(node1, Ess.ALL_SCOPES);
            Ess onNode1 = Ess.application(node1, clientId);
            Ess onNode2 = Ess.application(node2, clientId);
            String id = Ess.uniqueId("wake");
            assertEquals(200, onNode1.subscribeInTotalOrder(id, ".*", "public.test", receiver.url("/wake")).status());
            int events = 200;
            for (int i = 0; i < events; i++) {
                (i % 2 == 0 ? onNode1 : onNode2).publishTest("w" + i);
                if (i % 7 == 6) {
                    // The lane runs dry and may give the subscription back; the next event comes from node 1 and
                    // node 2 in turn (7 is odd), so it is also captured by the node that did not serve it.
                    Await.pause(Duration.ofMillis(300));
                }
            }
            List<WebhookReceiver.Received> arrived = receiver.awaitEvents(r -> r.body().contains("\"w"), events, Duration.ofSeconds(30));
            List<Integer> order = arrived.stream()
                    .map(r -> Integer.parseInt(WebhookReceiver.json(r).get("eventType").asText().substring(1))).distinct().toList();
            assertEquals(IntStream.range(0, events).boxed().toList(), order, "every event, first sent in publishing order");
        }
    }

    /**
     * A burst on both nodes (one of them serves the subscription, the other touches it), a pause in which
     * the queue runs dry, then one event captured on node 1 or node 2, awaited before anything else is
     * published: no later capture comes to rescue it. It arrives only if the serving node's lane kept the
     * subscription while the other node, relying on it, did not claim.
     */
    @Test
    void aLoneEventAfterABurstArrivesOnWhicheverNodeItIsCaptured() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            String clientId = Ess.newApplication(node1, Ess.ALL_SCOPES);
            Ess[] nodes = {Ess.application(node1, clientId), Ess.application(node2, clientId)};
            String id = Ess.uniqueId("lone");
            assertEquals(200, nodes[0].subscribe(id, ".*", "public.test", receiver.url("/lone")).status());
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < 20; i++) {
                    nodes[i % 2].publishTest("burst" + round + "x" + i);
                }
                Await.pause(Duration.ofMillis(200));
                String marker = "\"lone" + round + "\"";
                nodes[round % 2].publishTest("lone" + round);
                receiver.awaitEvents(r -> r.body().contains(marker), 1, Duration.ofSeconds(5));
            }
        }
    }

    /**
     * {@code ordering: subject}: one user's events always fail, so its key is held for minutes; every other
     * user's event left waits behind nothing, and the lane gives the subscription back blocked until the held
     * retry (BLOCKED_BY KEYS). A capture of another user on either node must lift that block at once: with
     * polling an hour apart, each such event arrives only if its capture woke a claim.
     */
    @Test
    void anEventOfAFreeUserArrivesAtOnceWhileAnotherUsersKeyIsHeld() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.answer(request -> request.body().contains("\"userId\":\"stuck\"") ? 500 : 200);
            String clientId = Ess.newApplication(node1, Ess.ALL_SCOPES);
            Ess[] nodes = {Ess.application(node1, clientId), Ess.application(node2, clientId)};
            String id = Ess.uniqueId("heldkey");
            assertEquals(200, nodes[0].subscribe(id, ".*", "public.test", receiver.url("/heldkey"), "subject", 8).status());
            nodes[0].publishTest("stuck0", "stuck");
            receiver.awaitAttempts(r -> r.body().contains("\"stuck0\""), 1, Duration.ofSeconds(5));
            for (int round = 0; round < 6; round++) {
                Await.pause(Duration.ofMillis(300)); // the lane runs dry and gives the subscription back, blocked
                String marker = "\"free" + round + "\"";
                nodes[round % 2].publishTest("free" + round, "free" + round);
                receiver.awaitEvents(r -> r.body().contains(marker), 1, Duration.ofSeconds(5));
            }
            // However long the rounds took on a busy machine: the held user's event was tried again only after its
            // retry delay (5 s, less 10 % jitter), never early because free users' events went out meanwhile.
            List<Long> tried = receiver.events(r -> r.body().contains("\"stuck0\"")).stream()
                    .map(WebhookReceiver.Received::receivedAtMillis).toList();
            for (int i = 1; i < tried.size(); i++) {
                assertTrue(tried.get(i) - tried.get(i - 1) >= 4_400, "the held user's event waits for its retry (5 s): tried at " + tried);
            }
        }
    }
}
