package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keycloak's readiness check and metrics tell an operator whether webhook delivery keeps up. Runs on its own
 * server with one delivery slot, a readiness bound of 3 s and a 1 s retry schedule, so a stalled slot and a
 * failing receiver show within seconds.
 */
@OwnServerTest
class WebhookHealthIT {

    static final String ENGINE = "--spi-events-listener--webhook-events--";
    static final Duration WITHIN = Duration.ofSeconds(40);
    private static KeycloakServer server;
    private static Keycloak keycloak;

    @BeforeAll
    static void startOwnServer() {
        server = KeycloakServers.startDistribution("ess-health", List.of(
                ENGINE + "health-max-overdue=3s", ENGINE + "max-concurrent-deliveries=1", ENGINE + "retry-schedule=1s",
                ENGINE + "read-timeout=60s", ENGINE + "attempt-timeout=80s", ENGINE + "lease=90s"));
        keycloak = new Keycloak(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void readinessIsDownWhileADueDeliveryWaitsLongerThanTheBoundAndUpOnceItGoesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WebhookReceiver slow = WebhookReceiver.start(); WebhookReceiver fast = WebhookReceiver.start()) {
            slow.answer(request -> {
                if (request.body().contains("\"slow\"")) {
                    await(release);
                }
                return 200;
            });
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            assertEquals(200, app.subscribe(Ess.uniqueId("slow"), "slow", "public.test", slow.url("/slow")).status());
            String waiting = Ess.uniqueId("waiting");
            assertEquals(200, app.subscribe(waiting, "fast", "public.test", fast.url("/fast")).status());
            assertTrue(isReady(), "ready before anything stalls: " + readiness().body());

            app.publishTest("slow");
            slow.awaitEvents(r -> r.body().contains("\"slow\""), 1, WITHIN); // the only slot now hangs
            app.publishTest("fast");

            Http.Reply down = awaitReadiness(reply -> reply.status() == 503, "DOWN");
            JsonNode check = outboxCheck(down.json());
            assertEquals("DOWN", check.get("status").asText());
            assertTrue(check.get("data").get("reason").asText().startsWith("a delivery has been due for "), check.toString());
            assertEquals(0, fast.events(r -> true).size(), "the waiting delivery has not gone out");

            release.countDown();
            fast.awaitEvents(r -> r.body().contains("\"fast\""), 1, WITHIN);
            Http.Reply up = awaitReadiness(reply -> reply.status() == 200, "UP");
            assertEquals("UP", outboxCheck(up.json()).get("status").asText());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aReceiverThatIsDownDoesNotMakeKeycloakUnready() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("refused");
            assertEquals(200, app.subscribe(id, "refused", "public.test", receiver.url("/refused")).status());
            receiver.answer(503);
            app.publishTest("refused");
            Ess.awaitDelivery(app, id, d -> d.get("attempts").asInt() >= 3);
            // Three attempts plus the readiness bound and two outbox reads: long enough to turn DOWN if it would.
            Await.pause(Duration.ofSeconds(10));
            Http.Reply ready = readiness();
            assertEquals(200, ready.status(), ready.shown());
            assertEquals("UP", outboxCheck(ready.json()).get("status").asText());
            assertTrue(outboxCheck(ready.json()).get("data").get("pending").asLong() >= 1, ready.body());
            receiver.answer(200);
            Ess.awaitDelivery(app, id, d -> "DELIVERED".equals(d.get("status").asText()));
        }
    }

    @Test
    void aSubscriptionsFailureStreakIsAMetricAndResetsOnDelivery() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("streak");
            assertEquals(200, app.subscribe(id, "streak", "public.test", receiver.url("/streak")).status());
            receiver.answer(500);
            app.publishTest("streak");
            assertTrue(awaitMetric(id, v -> v >= 2) >= 2, "two failed attempts in a row");
            receiver.answer(200);
            assertEquals(0.0, awaitMetric(id, v -> v == 0));
        }
    }

    @Test
    void outboxAgeMetricsAreOnKeycloaksMetricsEndpoint() {
        String metrics = Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of()).body();
        for (String name : List.of("kci_webhook_outbox_depth", "kci_webhook_outbox_oldest_age_seconds",
                "kci_webhook_outbox_oldest_due_seconds")) {
            assertTrue(metrics.contains(name), name + " missing from /metrics");
        }
    }

    private static double awaitMetric(String subscription, Predicate<Double> condition) {
        Pattern series = Pattern.compile("(?m)^kci_webhook_subscription_failure_streak\\{realm=\"" + Ess.REALM
                + "\",subscription=\"" + Pattern.quote(subscription) + "\",?}\\s+([0-9.Ee+-]+)$");
        OptionalDouble streak = Await.until("the failure streak of " + subscription, WITHIN, () -> {
            Matcher m = series.matcher(Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of()).body());
            return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
        }, last -> last.isPresent() && condition.test(last.getAsDouble()));
        return streak.getAsDouble();
    }

    private static Http.Reply readiness() {
        return Http.get(keycloak.managementUrl().resolve("/health/ready"), Map.of());
    }

    private static boolean isReady() {
        return readiness().status() == 200;
    }

    private static Http.Reply awaitReadiness(Predicate<Http.Reply> condition, String what) {
        return Await.until("readiness " + what, WITHIN, WebhookHealthIT::readiness, condition);
    }

    private static JsonNode outboxCheck(JsonNode health) {
        for (JsonNode check : health.get("checks")) {
            if ("Webhook outbox".equals(check.get("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no Webhook outbox check in " + health);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(90, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
