package dev.kcintegrations.events.ops;

import dev.kcintegrations.events.store.OutboxStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook delivery on Keycloak's metrics endpoint (Micrometer's global registry, which Keycloak's
 * Prometheus registry joins): {@code kci_webhook_events_queued_total}, {@code kci_webhook_deliveries_total}
 * by outcome, {@code kci_webhook_outbox_depth}, {@code kci_webhook_outbox_oldest_age_seconds},
 * {@code kci_webhook_outbox_oldest_due_seconds}, {@code kci_webhook_subscription_failure_streak} by realm and
 * subscription, and the event-to-delivery latency {@code kci_webhook_delivery_lag_seconds}.
 */
public final class DeliveryMetrics {

    private final Counter queued;
    private final Counter delivered;
    private final Counter retried;
    private final Counter rejected;
    private final Counter parked;
    private final Counter disabled;
    private final Counter housekeepingExecuted;
    private final Counter housekeepingSkipped;
    private final Timer lag;
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong oldestAgeSeconds = new AtomicLong();
    private final AtomicLong oldestDueSeconds = new AtomicLong();
    private final MultiGauge failureStreaks;

    public DeliveryMetrics() {
        this(Metrics.globalRegistry);
    }

    DeliveryMetrics(MeterRegistry registry) {
        queued = Counter.builder("kci.webhook.events.queued").description("Outbox rows written (one per matching subscription)").register(registry);
        delivered = outcome(registry, "delivered");
        retried = outcome(registry, "retried");
        rejected = outcome(registry, "rejected");
        parked = outcome(registry, "parked");
        disabled = Counter.builder("kci.webhook.subscriptions.disabled").description("Subscriptions disabled by 410 Gone").register(registry);
        housekeepingExecuted = Counter.builder("kci.webhook.housekeeping.runs").tag("outcome", "executed")
                .description("Housekeeping runs on this node; skipped: another node ran it this interval").register(registry);
        housekeepingSkipped = Counter.builder("kci.webhook.housekeeping.runs").tag("outcome", "skipped")
                .description("Housekeeping runs on this node; skipped: another node ran it this interval").register(registry);
        lag = Timer.builder("kci.webhook.delivery.lag").description("From the event to its delivery")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("kci.webhook.outbox.depth", depth, AtomicLong::get).description("Pending deliveries in the outbox").register(registry);
        Gauge.builder("kci.webhook.outbox.oldest.age.seconds", oldestAgeSeconds, AtomicLong::get)
                .description("Age of the oldest pending delivery").register(registry);
        Gauge.builder("kci.webhook.outbox.oldest.due.seconds", oldestDueSeconds, AtomicLong::get)
                .description("How long the longest-waiting due delivery has waited to be claimed").register(registry);
        failureStreaks = MultiGauge.builder("kci.webhook.subscription.failure.streak")
                .description("Consecutive failed attempts of a subscription (0 after a delivery)").register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("kci.webhook.deliveries").tag("outcome", outcome).description("Delivery attempts by outcome").register(registry);
    }

    public void queued(int rows) { queued.increment(rows); }
    public void delivered(long eventTimeMillis) {
        delivered.increment();
        lag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - eventTimeMillis)));
    }
    public void retried() { retried.increment(); }
    public void rejected() { rejected.increment(); }
    public void parked() { parked.increment(); }
    public void disabled() { disabled.increment(); }
    public void housekeeping(boolean executed) { (executed ? housekeepingExecuted : housekeepingSkipped).increment(); }

    public void outbox(OutboxStatus status) {
        depth.set(status.pending());
        oldestAgeSeconds.set(status.oldestAgeSeconds());
        oldestDueSeconds.set(status.overdueSeconds());
        failureStreaks.register(status.failureStreaks().stream()
                .map(s -> MultiGauge.Row.of(Tags.of("realm", s.realm(), "subscription", s.subscription()), s.streak()))
                .toList(), true);
    }
}
