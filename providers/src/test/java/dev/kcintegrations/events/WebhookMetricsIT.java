package dev.kcintegrations.events;

import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.Metrics;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook counters docs/operators.md lists move by what happened, not only exist: one event per outcome, each
 * on a subscription of its own (a failing head would hold the others back). Other tests' retries may add to
 * the shared server's counters, hence "at least".
 */
@KeycloakIntegrationTest
class WebhookMetricsIT {

    @Test
    void deliveriesAreCountedByOutcomeAndTheirLagIsMeasured(Keycloak keycloak) {
        Map<String, Double> before = counters(keycloak);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.answer(request -> {
                if (request.body().contains("metricRejected")) {
                    return 400;
                }
                if (request.body().contains("metricRetried") && seen.merge("retried", 1, Integer::sum) == 1) {
                    return 503;
                }
                return 200;
            });
            for (String type : new String[]{"metricDelivered", "metricRetried", "metricRejected"}) {
                Ess app = Ess.application(keycloak);
                String id = Ess.uniqueId(type.toLowerCase(Locale.ROOT));
                assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
                app.publishTest(type);
                String expected = type.equals("metricRejected") ? "REJECTED" : "DELIVERED";
                Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals(expected));
            }
        }
        Map<String, Double> after = counters(keycloak);
        assertTrue(after.get("queued") >= before.get("queued") + 3, before + " -> " + after);
        assertTrue(after.get("delivered") >= before.get("delivered") + 2, before + " -> " + after);
        assertTrue(after.get("retried") >= before.get("retried") + 1, before + " -> " + after);
        assertTrue(after.get("rejected") >= before.get("rejected") + 1, before + " -> " + after);
        double lagCount = after.get("lagCount") - before.get("lagCount");
        double lagSeconds = after.get("lagSum") - before.get("lagSum");
        assertTrue(lagCount >= 2, "two deliveries timed: " + lagCount);
        assertTrue(lagSeconds > 0 && lagSeconds < 60 * lagCount, "lag of " + lagSeconds + " s over " + lagCount + " deliveries");
    }

    @Test
    void goneIsCountedAsADisabledSubscription(Keycloak keycloak) {
        double before = Metrics.sum(keycloak, "kci_webhook_subscriptions_disabled_total");
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak);
            String id = Ess.uniqueId("metric-gone");
            app.subscribe(id, ".*", "public.test", receiver.url("/gone"));
            receiver.answer(410);
            app.publishTest("eventCreated");
            Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("REJECTED"));
        }
        assertEquals(before + 1, Metrics.sum(keycloak, "kci_webhook_subscriptions_disabled_total"));
    }

    private static Map<String, Double> counters(Keycloak keycloak) {
        return Map.of(
                "queued", Metrics.sum(keycloak, "kci_webhook_events_queued_total"),
                "delivered", Metrics.sum(keycloak, "kci_webhook_deliveries_total", "outcome=\"delivered\""),
                "retried", Metrics.sum(keycloak, "kci_webhook_deliveries_total", "outcome=\"retried\""),
                "rejected", Metrics.sum(keycloak, "kci_webhook_deliveries_total", "outcome=\"rejected\""),
                "lagCount", Metrics.sum(keycloak, "kci_webhook_delivery_lag_seconds_count"),
                "lagSum", Metrics.sum(keycloak, "kci_webhook_delivery_lag_seconds_sum"));
    }
}
