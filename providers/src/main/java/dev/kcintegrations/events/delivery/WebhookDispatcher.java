package dev.kcintegrations.events.delivery;

import dev.kcintegrations.events.SubscriberAccess;
import dev.kcintegrations.events.WebhookSettings;
import dev.kcintegrations.events.WebhookTargets;
import dev.kcintegrations.events.store.AttemptEntity;
import dev.kcintegrations.events.store.ClaimedDelivery;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.OutboxStatus;
import dev.kcintegrations.events.store.SubscriptionEntity;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the outbox from this node. One loop claims due queue heads (as many as there are free delivery
 * slots), each claimed delivery is sent on its own virtual thread, and its outcome is written back in a
 * transaction of its own. A capture wakes the loop after its transaction commits; otherwise it polls.
 * Every subscription has at most one delivery in flight (the head of its queue), so a slow receiver holds
 * one slot, never the others' order or the whole pool.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    public static final Duration STATS_EVERY = Duration.ofSeconds(5);
    private static final int MAX_STREAK_SERIES = 1000;
    private static final Duration COALESCE = Duration.ofMillis(10);

    private final KeycloakSessionFactory sessionFactory;
    private final WebhookSettings settings;
    private final WebhookSender sender;
    private final DeliveryMetrics metrics;
    private final OutboxHealth health;
    private final RetryPolicy retryPolicy;
    private final String node;
    private final Semaphore slots;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private volatile boolean woken;
    private volatile boolean immediate;
    private volatile boolean running = true;
    private Thread loop;
    private long lastStats;

    public WebhookDispatcher(KeycloakSessionFactory sessionFactory, WebhookSettings settings, WebhookSender sender,
                             DeliveryMetrics metrics, OutboxHealth health, String node) {
        this.sessionFactory = sessionFactory;
        this.settings = settings;
        this.sender = sender;
        this.metrics = metrics;
        this.health = health;
        this.retryPolicy = new RetryPolicy(settings);
        this.node = node;
        this.slots = new Semaphore(settings.maxConcurrentDeliveries());
    }

    public void start() {
        loop = Thread.ofPlatform().name("kci-webhook-dispatcher").daemon(true).start(this::run);
    }

    /** A delivery finished: its queue's next event may be due now. */
    public void wake() {
        signal(false);
    }

    /** A capture committed: claim soon, together with the captures of the next few milliseconds. */
    public void wakeSoon() {
        signal(true);
    }

    private void signal(boolean coalesce) {
        lock.lock();
        try {
            woken = true;
            immediate |= !coalesce;
            wakeUp.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 0;
        while (running) {
            try {
                int claimed = claimAndSend();
                backoff = 0;
                refreshStats();
                if (claimed == 0 || slots.availablePermits() == 0) {
                    await(settings.pollInterval().toMillis());
                }
            } catch (RuntimeException | Error e) {
                // The database is away (restart, failover): keep trying, a little slower each time. Nothing
                // one receiver answers reaches this loop; an Error here is ours, and the loop must outlive it.
                backoff = Math.min(Math.max(backoff * 2, 500), 10_000);
                LOG.warnf("Webhook dispatcher could not claim deliveries (%s); retrying in %d ms", e.getClass().getSimpleName(), backoff);
                await(backoff);
            }
        }
    }

    private void await(long millis) {
        boolean wasWoken;
        lock.lock();
        try {
            if (!woken && running) {
                wakeUp.await(millis, TimeUnit.MILLISECONDS);
            }
            wasWoken = woken && !immediate;
            woken = false;
            immediate = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } finally {
            lock.unlock();
        }
        if (wasWoken) {
            // Let the commits of the next few milliseconds join this claim: under load one claim
            // transaction serves many captures instead of one each.
            try {
                Thread.sleep(COALESCE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private int claimAndSend() {
        int free = slots.availablePermits();
        if (free == 0) {
            return 0;
        }
        long now = System.currentTimeMillis();
        List<Prepared> claimed = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Map<String, String> signatures = new HashMap<>();
            return new Outbox(session).claimDueHeads(free, node, now, settings.lease().toMillis()).stream()
                    .map(delivery -> prepare(session, delivery, signatures)).toList();
        });
        for (Prepared delivery : claimed) {
            slots.acquireUninterruptibly();
            senders.submit(() -> {
                try {
                    deliver(delivery);
                } catch (RuntimeException | Error e) {
                    // One delivery's failure must stop neither the dispatcher nor another subscription's lane.
                    LOG.warnf("Delivery %s failed before its outcome was recorded (%s); its lease ends and it is tried again",
                            delivery.claimed().id(), e.getClass().getSimpleName());
                } finally {
                    slots.release();
                    wake();
                }
            });
        }
        return claimed.size();
    }

    /**
     * Signs a claimed delivery in the claim's own session. The subscriptions of one topic get the same
     * body for an event, so one Concur-Signature serves them all.
     */
    private Prepared prepare(KeycloakSession session, ClaimedDelivery delivery, Map<String, String> signatures) {
        RealmModel realm = session.realms().getRealm(delivery.realmId());
        if (realm == null) {
            return new Prepared(delivery, null, null, null);
        }
        Optional<String> denial = SubscriberAccess.denial(realm, delivery.applicationId(), delivery.topic());
        if (denial.isPresent()) {
            return new Prepared(delivery, null, null, denial.get());
        }
        byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
        String concur = signatures.computeIfAbsent(delivery.realmId() + "\n" + delivery.payload(),
                key -> ConcurSignature.sign(session, realm, body));
        return new Prepared(delivery, WebhookTargets.policy(realm, settings),
                DeliveryHeaders.of(delivery.secrets(), delivery.eventId(), delivery.correlationId(), body, concur), null);
    }

    private void deliver(Prepared prepared) {
        ClaimedDelivery delivery = prepared.claimed();
        long now = System.currentTimeMillis();
        if (now - delivery.createdAt() > settings.retention().toMillis()) {
            record(delivery, null, RetryPolicy.Verdict.RETRY, Duration.ZERO);
            return;
        }
        if (prepared.denial() != null) {
            hold(delivery, prepared.denial());
            return;
        }
        if (prepared.policy() == null) {
            record(delivery, SendResult.failed(0, "realm no longer exists"), RetryPolicy.Verdict.REJECTED, Duration.ZERO);
            return;
        }
        byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
        SendResult result = sender.send(prepared.policy(), delivery.endpoint(), body, prepared.headers());
        RetryPolicy.Verdict verdict = RetryPolicy.judge(result);
        Duration delay = verdict == RetryPolicy.Verdict.RETRY ? retryPolicy.nextDelay(delivery.attempts() + 1, result) : Duration.ZERO;
        record(delivery, result, verdict, delay);
        LOG.debugf("Delivery %s of event %s to subscription %s: %s (%s), correlationId=%s", delivery.id(), delivery.eventId(),
                delivery.subscriptionName(), verdict, result.describe(), delivery.correlationId());
    }

    /**
     * A claimed delivery, signed and with the SSRF policy of its realm; policy null: the realm is gone;
     * denial set: its application may not receive it now.
     */
    private record Prepared(ClaimedDelivery claimed, dev.kcintegrations.events.WebhookTargetPolicy policy,
                            Map<String, String> headers, String denial) {
    }

    /**
     * The application lost its right to the topic: nothing is sent. The delivery, and the queue behind it,
     * waits as after a failed attempt and goes out if access is back by then; the subscription says why.
     */
    private void hold(ClaimedDelivery claimed, String reason) {
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
            Outbox outbox = new Outbox(session);
            DeliveryEntity row = outbox.stillLeased(claimed).orElse(null);
            if (row == null || !DeliveryEntity.PENDING.equals(row.getStatus())) {
                return;
            }
            long next = System.currentTimeMillis() + settings.delayAfter(1).toMillis();
            row.setLeaseOwner(null);
            row.setLeaseUntil(null);
            row.setNextAttemptAt(next);
            row.setLastError(truncate("waiting: " + reason));
            SubscriptionEntity subscription = outbox.subscription(row.getSubscriptionId());
            outbox.holdBehind(subscription, row.getId(), next);
            if (SubscriptionEntity.ACTIVE.equals(subscription.getStatus())) {
                subscription.setStatus(SubscriptionEntity.SUSPENDED);
                subscription.setStatusReason(truncate("Suspended: " + reason
                        + "; deliveries wait until access returns or they expire"));
                subscription.setUpdatedAt(System.currentTimeMillis());
                LOG.infof("Webhook subscription %s suspended: %s", subscription.getName(), reason);
            }
        });
    }

    /** Writes the attempt and the delivery's new state. {@code result} null: retention ended before sending. */
    private void record(ClaimedDelivery claimed, SendResult result, RetryPolicy.Verdict verdict, Duration delay) {
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
            Outbox outbox = new Outbox(session);
            DeliveryEntity row = outbox.stillLeased(claimed).orElse(null);
            if (row == null) {
                // The lease ended before this send did: another node owns the row now (or the realm is
                // gone), and its outcome is the one that counts.
                LOG.debugf("Delivery %s: outcome not recorded, the lease was taken over", claimed.id());
                return;
            }
            long now = System.currentTimeMillis();
            if (result != null) {
                outbox.addAttempt(attempt(claimed, result, verdict, now), row.getAttempts() + 1);
            }
            if (!DeliveryEntity.PENDING.equals(row.getStatus())) {
                return; // cancelled (subscription deleted) while in flight: the attempt is logged, nothing more
            }
            SubscriptionEntity subscription = outbox.subscription(row.getSubscriptionId());
            row.setLeaseOwner(null);
            row.setLeaseUntil(null);
            subscription.setBlockedUntil(null); // the head moves on unless it is retried below
            if (SubscriptionEntity.SUSPENDED.equals(subscription.getStatus())) {
                subscription.setStatus(SubscriptionEntity.ACTIVE); // access is back: it was checked before this send
                subscription.setStatusReason(null);
                subscription.setUpdatedAt(now);
            }
            if (result == null) {
                park(row, now, "retention ended");
                return;
            }
            row.setAttempts(row.getAttempts() + 1);
            row.setLastHttpStatus(result.httpStatus().orElse(null));
            row.setLastError(truncate(result.error()));
            switch (verdict) {
                case DELIVERED -> {
                    row.setStatus(DeliveryEntity.DELIVERED);
                    row.setFinishedAt(now);
                    subscription.setFailureStreak(0);
                    metrics.delivered(row.getCreatedAt());
                }
                case REJECTED -> {
                    finish(row, DeliveryEntity.REJECTED, now, "receiver answered " + result.describe());
                    subscription.setFailureStreak(subscription.getFailureStreak() + 1);
                    metrics.rejected();
                }
                case GONE -> {
                    finish(row, DeliveryEntity.REJECTED, now, "receiver answered 410 Gone");
                    subscription.setFailureStreak(subscription.getFailureStreak() + 1);
                    subscription.setStatus(SubscriptionEntity.DISABLED);
                    subscription.setStatusReason("Disabled: the endpoint answered 410 Gone");
                    subscription.setUpdatedAt(now);
                    metrics.rejected();
                    metrics.disabled();
                    LOG.infof("Webhook subscription %s disabled: its endpoint answered 410 Gone", subscription.getName());
                }
                case RETRY -> {
                    subscription.setFailureStreak(subscription.getFailureStreak() + 1);
                    long next = now + delay.toMillis();
                    if (next - row.getCreatedAt() > settings.retention().toMillis()) {
                        park(row, now, "retention ended; last attempt: " + result.describe());
                    } else {
                        row.setNextAttemptAt(next);
                        outbox.holdBehind(subscription, row.getId(), next);
                        metrics.retried();
                    }
                }
            }
        });
    }

    private void park(DeliveryEntity row, long now, String reason) {
        finish(row, DeliveryEntity.PARKED, now, reason);
        metrics.parked();
    }

    private static void finish(DeliveryEntity row, String status, long now, String reason) {
        row.setStatus(status);
        row.setFinishedAt(now);
        row.setLastError(truncate(reason));
    }

    private AttemptEntity attempt(ClaimedDelivery claimed, SendResult result, RetryPolicy.Verdict verdict, long now) {
        AttemptEntity attempt = new AttemptEntity();
        attempt.setId(UUID.randomUUID().toString());
        attempt.setDeliveryId(claimed.id());
        attempt.setAttemptedAt(now - result.latencyMillis());
        attempt.setHttpStatus(result.httpStatus().orElse(null));
        attempt.setLatencyMillis(result.latencyMillis());
        attempt.setOutcome(verdict.name());
        attempt.setResponseExcerpt(result.responseExcerpt() == null ? null : truncateChars(result.responseExcerpt(), WebhookSender.EXCERPT_BYTES));
        attempt.setError(truncate(result.error()));
        attempt.setNode(node);
        return attempt;
    }

    private void refreshStats() {
        long now = System.currentTimeMillis();
        if (now - lastStats < STATS_EVERY.toMillis()) {
            return;
        }
        lastStats = now;
        OutboxStatus status = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> new Outbox(session).status(now, MAX_STREAK_SERIES));
        metrics.outbox(status);
        health.publish(status);
    }

    private static String truncate(String text) {
        return text == null ? null : truncateChars(text, 255);
    }

    private static String truncateChars(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    @Override
    public void close() {
        running = false;
        wake();
        senders.shutdown();
        try {
            if (loop != null) {
                loop.join(2000);
            }
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
