package dev.kcintegrations.events;

import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each subscription is served by a lane of its own: what one receiver does (hang, fail) holds its own
 * queue and nothing else, and a long queue goes out in order and complete.
 */
@KeycloakIntegrationTest
class DeliveryLanesIT {

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aHangingReceiverHoldsOnlyItsOwnLane(Keycloak keycloak) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.answer(request -> {
            if (request.body().contains("\"stuck\"")) {
                try {
                    release.await(9, TimeUnit.SECONDS); // under the server's read-timeout (10 s): one attempt, on the wire
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 200;
        });
        Ess hanging = Ess.application(keycloak);
        Ess healthy = Ess.application(keycloak);
        String stuck = Ess.uniqueId("stuck");
        String flowing = Ess.uniqueId("flowing");
        assertEquals(200, hanging.subscribeInTotalOrder(stuck, ".*", "public.test", receiver.url("/stuck")).status());
        assertEquals(200, healthy.subscribeInTotalOrder(flowing, ".*", "public.test", receiver.url("/flowing")).status());

        hanging.publishTest("stuck");
        hanging.publishTest("behindStuck");
        receiver.awaitEvents(r -> r.body().contains("\"stuck\""), 1, Duration.ofSeconds(20));
        int events = 55; // within test-events-per-minute (60 per application)
        for (int i = 0; i < events; i++) {
            healthy.publishTest("flow" + i);
        }
        List<WebhookReceiver.Received> flowed = receiver.awaitEvents(r -> r.body().contains("\"flow"), events, Duration.ofSeconds(30));
        // While the other receiver still holds its first event: its queue waits, this one went out whole, in order.
        assertEquals(1, receiver.events(r -> r.body().contains("\"stuck\"")).size(), "the hanging receiver got one attempt, still open");
        assertEquals(0, receiver.events(r -> r.body().contains("behindStuck")).size(), "its next event waits behind it");
        release.countDown();
        assertEquals(order(events), arrivalOrder(flowed), "the healthy subscription's events arrived in order");
        receiver.awaitEvents(r -> r.body().contains("behindStuck"), 1, Duration.ofSeconds(20));
    }

    @Test
    void aLongQueueGoesOutCompleteAndInOrder(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("long");
        assertEquals(200, app.subscribeInTotalOrder(id, ".*", "public.test", receiver.url("/long")).status());
        // The head is refused once and the queue builds up behind it (total order). Only its first attempt: a switch
        // back to 200 after the publishing took longer than the 5 s retry (under load) refused the retry too, which
        // rightly held the queue for the schedule's next step (5 min).
        AtomicBoolean refused = new AtomicBoolean();
        receiver.answer(request -> request.body().contains("\"q0\"") && refused.compareAndSet(false, true) ? 503 : 200);
        int events = 55; // within test-events-per-minute (60 per application); ClusterIT drains 20,000
        for (int i = 0; i < events; i++) {
            app.publishTest("q" + i);
        }
        receiver.awaitAttempts(r -> r.body().contains("\"q0\""), 1, Duration.ofSeconds(20));
        List<WebhookReceiver.Received> arrived = receiver.awaitEvents(r -> r.body().contains("\"q"), events, Duration.ofSeconds(60));
        assertEquals(order(events), arrivalOrder(arrived).stream().distinct().toList(), "every event, first sent in capture order");
        assertEquals(attemptsOf(arrived, "\"q0\"") - 1, arrived.size() - events, "only the refused head was sent more than once");
    }

    private static int attemptsOf(List<WebhookReceiver.Received> arrived, String marker) {
        return (int) arrived.stream().filter(r -> r.body().contains(marker)).count();
    }

    private static List<Integer> order(int events) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            order.add(i);
        }
        return order;
    }

    private static List<Integer> arrivalOrder(List<WebhookReceiver.Received> arrived) {
        return arrived.stream().map(r -> WebhookReceiver.json(r).get("eventType").asText())
                .map(type -> Integer.parseInt(type.replaceAll("^[a-z]+", ""))).toList();
    }
}
