package dev.kcintegrations.events.ops;

import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.sender.RealmClientCertificates;
import dev.kcintegrations.events.sender.WebhookSigningKey;
import dev.kcintegrations.events.store.ClientCertificateEntity;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.JobRuns;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.SigningKeyEntity;
import dev.kcintegrations.events.store.SigningKeys;
import dev.kcintegrations.events.store.SubscriptionEntity;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Once per cluster and interval: every node's timer fires, and the compare-and-set of {@link JobRuns} lets
 * one of them run it (two at the same instant included); the others stand back, counted as skipped. Every step is a set-based statement that is
 * harmless to repeat. It parks pending deliveries whose retention ended, purges delivered and cancelled rows after
 * the retention, rejected and parked ones (and all attempts) after the history period, and deleted
 * subscriptions once none of their deliveries remain.
 */
public final class WebhookHousekeeping implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(WebhookHousekeeping.class);
    private final WebhookSettings settings;
    private final DeliveryMetrics metrics;
    private final String node;

    private final HousekeepingHooks hooks;

    public WebhookHousekeeping(WebhookSettings settings, DeliveryMetrics metrics, String node, HousekeepingHooks hooks) {
        this.settings = settings;
        this.hooks = hooks;
        this.metrics = metrics;
        this.node = node;
    }

    @Override
    public void run(KeycloakSession session) {
        long now = System.currentTimeMillis();
        // A tenth of the interval absorbs timer jitter; the other node's timer is out of phase by more.
        long minGap = settings.housekeepingInterval().toMillis() * 9 / 10;
        if (!new JobRuns(session).claim(JobRuns.HOUSEKEEPING, node, now, minGap)) {
            metrics.housekeeping(false);
            return;
        }
        metrics.housekeeping(true);
        Outbox outbox = new Outbox(session);
        Map<String, Integer> expiring = outbox.retention().expiredBySubscription(now - settings.retention().toMillis(), now);
        int parked = outbox.retention().parkExpired(now - settings.retention().toMillis(), now);
        expiring.forEach((subscriptionId, count) -> {
            SubscriptionEntity subscription = outbox.subscription(subscriptionId);
            if (subscription != null) {
                hooks.parked(session, subscription, count);
            }
        });
        for (int i = 0; i < parked; i++) {
            metrics.parked();
        }
        int purgedShort = outbox.retention().purgeFinished(List.of(DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED),
                now - settings.retention().toMillis());
        int purgedLong = outbox.retention().purgeFinished(List.of(DeliveryStatus.REJECTED, DeliveryStatus.PARKED),
                now - settings.history().toMillis());
        if (!settings.brokenRemoval().isZero()) {
            long brokenBefore = now - settings.brokenRemoval().toMillis();
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    int removed = hooks.removeBroken(session.getKeycloakSessionFactory(), brokenBefore);
                    if (removed > 0) {
                        LOG.infof("Webhook housekeeping: removed %d subscription(s) whose endpoints failed for broken-removal (%s)",
                                removed, settings.brokenRemoval());
                    }
                }

                @Override
                protected void rollbackImpl() {
                }
            });
        }
        int subscriptions = outbox.retention().purgeDeletedSubscriptions(now);
        SigningKeys keys = new SigningKeys(session);
        List<SigningKeyEntity> retiring = keys.signingCreatedBefore(now - settings.signingKeyLifetime().toMillis());
        // The successors are made here, not by the first capture that finds no key: an RSA key pair takes a CPU a
        // while to make (seconds on a loaded machine), and a sign-in or a publish must not wait for it.
        retiring.stream().map(SigningKeyEntity::getRealmId).distinct().forEach(realmId -> keys.generate(realmId, now));
        int rotated = keys.retireCreatedBefore(now - settings.signingKeyLifetime().toMillis(), now);
        retiring.forEach(key -> hooks.signingKeyRotated(session, key.getRealmId(), key.getKid()));
        for (ClientCertificateEntity made : RealmClientCertificates.rotateEnding(session, settings.clientCertificateOverlap(), now)) {
            LOG.infof("Webhook housekeeping: made the successor of realm %s's client certificate %s, presented from %s",
                    made.getRealmId(), made.getSubject(), Instant.ofEpochMilli(made.getActiveFrom()));
            hooks.clientCertificateAdded(session, made);
        }
        keys.purgeRetiredBefore(now - settings.signingKeyOverlap().toMillis());
        if (rotated > 0) {
            WebhookSigningKey.forget();
            LOG.infof("Webhook housekeeping: retired %d webhook signing key(s); new ones sign from now on", rotated);
        }
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
