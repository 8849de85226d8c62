package dev.kcintegrations.events.delivery;

import dev.kcintegrations.events.WebhookSettings;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.Outbox;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

import java.util.List;

/**
 * Once per cluster (scheduled through Keycloak's cluster-aware task runner), and harmless if two nodes
 * ran it at once: parks pending deliveries whose retention ended, purges delivered and cancelled rows after
 * the retention, rejected and parked ones (and all attempts) after the history period, and deleted
 * subscriptions once none of their deliveries remain.
 */
public final class WebhookHousekeeping implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(WebhookHousekeeping.class);
    private final WebhookSettings settings;
    private final DeliveryMetrics metrics;

    public WebhookHousekeeping(WebhookSettings settings, DeliveryMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void run(KeycloakSession session) {
        long now = System.currentTimeMillis();
        Outbox outbox = new Outbox(session);
        int parked = outbox.parkExpired(now - settings.retention().toMillis(), now);
        for (int i = 0; i < parked; i++) {
            metrics.parked();
        }
        int purgedShort = outbox.purgeFinished(List.of(DeliveryEntity.DELIVERED, DeliveryEntity.CANCELLED),
                now - settings.retention().toMillis());
        int purgedLong = outbox.purgeFinished(List.of(DeliveryEntity.REJECTED, DeliveryEntity.PARKED),
                now - settings.history().toMillis());
        int subscriptions = outbox.purgeDeletedSubscriptions(now);
        if (parked + purgedShort + purgedLong + subscriptions > 0) {
            LOG.infof("Webhook housekeeping: parked %d expired, purged %d delivered/cancelled and %d rejected/parked deliveries, %d deleted subscriptions",
                    parked, purgedShort, purgedLong, subscriptions);
        }
    }

    @Override
    public String getTaskName() {
        return "kci-webhook-housekeeping";
    }
}
