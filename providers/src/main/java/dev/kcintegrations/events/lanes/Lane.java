package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.config.WebhookTargets;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.sender.DeliveryHeaders;
import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import dev.kcintegrations.events.topics.SubscriberAccess;
import org.jboss.logging.Logger;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Serves one leased subscription on this node: reads the bottom of its PENDING range, signs ahead, keeps one
 * POST on the wire at a time (so the receiver sees the queue's order, and a failing head holds the rest), and
 * hands every outcome to the group commit without waiting for it. It gives the lease back when the queue is
 * empty, when the head must wait for a retry, or after its quantum when other subscriptions wait for a lane.
 */
final class Lane implements Runnable {

    private static final Logger LOG = Logger.getLogger(Lane.class);
    /** Rows read ahead of the one on the wire: also how many a cancel can still let through at most. */
    static final int READ_AHEAD = 32;
    /** Sent rows whose outcome is not yet committed; the lane waits beyond this (the group commit is behind). */
    static final int MAX_UNFLUSHED = 256;
    /** How often a lane with an empty queue reads again while another node captures for its subscription. */
    static final Duration LINGER_READS = Duration.ofMillis(50);
    /** How long a lane serves before it yields to subscriptions waiting for one. */
    static final Duration QUANTUM = Duration.ofSeconds(2);

    private final LaneScheduler scheduler;
    private final SubscriptionLease lease;
    private final RetryPolicy retryPolicy;
    private final Set<String> unflushed = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> committed = new ConcurrentLinkedQueue<>();
    private final Object flushed = new Object();
    /**
     * How often a lane that is sending asks again whether the application may still receive: a read of 32 rows
     * to a receiver that takes seconds an answer is minutes of sending.
     */
    static final long ACCESS_RECHECK_MILLIS = 1000;
    private long accessCheckedAt;
    private volatile long leaseUntil;
    private volatile boolean lost;
    private volatile boolean suspended;
    private boolean exiting;
    private boolean wokenSinceRead;
    private int emptyReads;
    private boolean released;

    Lane(LaneScheduler scheduler, SubscriptionLease lease) {
        this.scheduler = scheduler;
        this.lease = lease;
        this.leaseUntil = lease.until();
        this.suspended = lease.suspended();
        this.retryPolicy = new RetryPolicy(scheduler.settings());
    }

    SubscriptionLease lease() {
        return lease;
    }

    boolean suspended() {
        return suspended;
    }

    boolean lost() {
        return lost;
    }

    /**
     * A capture for this subscription committed. True: this lane will read it (it reads until its queue is
     * empty, and cannot give the subscription back while the row exists); false: the lane is ending, and the
     * scheduler must claim again.
     */
    synchronized boolean wake() {
        if (exiting) {
            return false;
        }
        wokenSinceRead = true;
        notifyAll();
        return true;
    }

    private synchronized void awaitWake(Duration longest) {
        try {
            if (!wokenSinceRead) {
                wait(longest.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost = true;
        }
    }

    synchronized void end() {
        exiting = true;
    }

    @Override
    public void run() {
        try {
            serve();
        } catch (RuntimeException | Error e) {
            // The lease runs out and the queue is served again, here or elsewhere; the lane must not take
            // the scheduler with it.
            LOG.warnf("Webhook lane of subscription %s stopped (%s); its lease ends and its queue is served again",
                    lease.name(), e.getClass().getSimpleName());
        } finally {
            if (!released && !lost) {
                release(false); // shutting down, or stopped by an error: the next node need not wait for the lease
            }
            scheduler.laneEnded(this);
        }
    }

    private boolean release(boolean ifIdle) {
        released = true;
        return scheduler.groupCommit().release(this, ifIdle).join();
    }

    private void serve() {
        long started = System.currentTimeMillis();
        while (scheduler.running() && !lost) {
            forgetCommitted();
            synchronized (this) {
                wokenSinceRead = false; // a wake from here on may be for a row this read misses: awaitWake returns at once
            }
            Read read = read();
            if (read == null) {
                return; // the lease is gone
            }
            accessCheckedAt = System.currentTimeMillis();
            if (read.stop() != null) {
                release(false);
                return;
            }
            List<PendingDelivery> fresh = read.rows().stream().filter(row -> !unflushed.contains(row.id())).toList();
            if (!fresh.isEmpty()) {
                emptyReads = 0;
            }
            if (fresh.isEmpty()) {
                if (!unflushed.isEmpty()) {
                    awaitFlush();
                    continue;
                }
                if (release(true) || lost) {
                    return;
                }
                released = false;
                // A row came in after the read (read again at once), or another node captured for this
                // subscription lately and leaves it to this lane (read again soon, at once when woken here).
                if (emptyReads++ > 0) {
                    awaitWake(LINGER_READS);
                }
                continue;
            }
            if (read.denial() != null) {
                scheduler.groupCommit().hold(this, fresh.get(0), read.denial());
                release(false);
                return;
            }
            List<CompletableFuture<String>> signatures = new ArrayList<>(fresh.size());
            for (PendingDelivery row : fresh) {
                signatures.add(row.signatureBy(read.key().getKid()).map(CompletableFuture::completedFuture).orElseGet(() ->
                        scheduler.signatures().signature(read.key(), row.payload().getBytes(StandardCharsets.UTF_8))));
            }
            for (int i = 0; i < fresh.size(); i++) {
                if (!scheduler.running() || lost) {
                    return;
                }
                PendingDelivery row = fresh.get(i);
                long now = System.currentTimeMillis();
                if (row.nextAttemptAt() > now) {
                    release(false); // the head waits for its retry
                    return;
                }
                if (now - row.createdAt() > scheduler.settings().retention().toMillis()) {
                    unflushed.add(row.id());
                    scheduler.groupCommit().expired(this, row);
                    continue;
                }
                awaitRoom();
                if (lost || !scheduler.running() || !leaseHoldsFor(scheduler.settings().attemptTimeout())) {
                    return; // waiting for room may have taken long enough for the lease to be lost
                }
                if (System.currentTimeMillis() - accessCheckedAt > ACCESS_RECHECK_MILLIS) {
                    String denial = accessDenial();
                    if (denial != null) {
                        scheduler.groupCommit().hold(this, row, denial);
                        release(false);
                        return;
                    }
                }
                SendResult result = send(read, row, signatures.get(i));
                RetryPolicy.Verdict verdict = RetryPolicy.judge(result);
                Duration delay = verdict == RetryPolicy.Verdict.RETRY ? retryPolicy.nextDelay(row.attempts() + 1, result) : Duration.ZERO;
                unflushed.add(row.id());
                scheduler.groupCommit().sent(this, row, result, verdict, delay);
                LOG.debugf("Delivery %s of event %s to subscription %s: %s (%s), correlationId=%s", row.id(), row.eventId(),
                        lease.name(), verdict, result.describe(), row.correlationId());
                if (verdict == RetryPolicy.Verdict.RETRY || verdict == RetryPolicy.Verdict.GONE) {
                    release(false); // the queue waits behind its head, or is closed
                    return;
                }
                if (System.currentTimeMillis() - started > QUANTUM.toMillis() && scheduler.othersWaiting()) {
                    release(false);
                    return;
                }
            }
        }
    }

    private SendResult send(Read read, PendingDelivery row, CompletableFuture<String> signature) {
        byte[] body = row.payload().getBytes(StandardCharsets.UTF_8);
        String concur;
        try {
            concur = signature.join();
        } catch (RuntimeException e) {
            return SendResult.failed(0, "could not sign the body (" + e.getClass().getSimpleName() + ")");
        }
        return scheduler.sender().send(read.policy(), read.endpoint(), row.bodyFormat(), body,
                DeliveryHeaders.of(read.secrets(), row.eventId(), row.correlationId(), body, concur));
    }

    /** What one read of the queue found, with what sending it needs; {@code stop} set: the queue is not served now. */
    private record Read(List<PendingDelivery> rows, String endpoint, List<String> secrets, WebhookTargetPolicy policy,
                        KeyWrapper key, String denial, String stop) {
    }

    private Read read() {
        List<String> sent = List.copyOf(unflushed);
        return KeycloakModelUtils.runJobInTransactionWithResult(scheduler.sessionFactory(), session -> {
            Outbox.QueueSlice slice = new Outbox(session).slice(lease, READ_AHEAD, sent);
            if (slice == null) {
                lost = true;
                return null;
            }
            if (!slice.status().served()) {
                return new Read(List.of(), null, null, null, null, null, "subscription is " + slice.status());
            }
            RealmModel realm = session.realms().getRealm(lease.realmId());
            if (realm == null) {
                return new Read(List.of(), null, null, null, null, null, "realm no longer exists");
            }
            if (slice.rows().isEmpty()) {
                return new Read(List.of(), null, null, null, null, null, null);
            }
            Optional<String> denial = SubscriberAccess.denial(realm, lease.applicationId(), lease.topic());
            return new Read(slice.rows(), slice.endpoint(), slice.secrets(), WebhookTargets.policy(realm, scheduler.settings()),
                    denial.isPresent() ? null : ConcurSignature.activeKey(session, realm), denial.orElse(null), null);
        });
    }

    /** Why the application may not receive now (through Keycloak's realm cache), or null when it may. */
    private String accessDenial() {
        String denial = KeycloakModelUtils.runJobInTransactionWithResult(scheduler.sessionFactory(), session -> {
            RealmModel realm = session.realms().getRealm(lease.realmId());
            return realm == null ? "realm no longer exists" : SubscriberAccess.denial(realm, lease.applicationId(), lease.topic()).orElse(null);
        });
        accessCheckedAt = System.currentTimeMillis();
        return denial;
    }

    /**
     * A send that outlives the lease has its outcome dropped (another node serves the row again), so a lease
     * that could end during the next attempt is renewed first. The settings keep the lease longer than an attempt.
     */
    private boolean leaseHoldsFor(Duration attempt) {
        long margin = attempt.toMillis();
        if (leaseUntil - System.currentTimeMillis() > margin) {
            return true;
        }
        return scheduler.groupCommit().renew(this).join() && !lost && leaseUntil - System.currentTimeMillis() > margin;
    }

    private void awaitRoom() {
        while (!lost && scheduler.running()) {
            forgetCommitted();
            if (unflushed.size() < MAX_UNFLUSHED) {
                return;
            }
            awaitFlush();
        }
    }

    /** Rows whose outcome committed are no longer PENDING: a read that begins after this cannot return them. */
    private void forgetCommitted() {
        String id;
        while ((id = committed.poll()) != null) {
            unflushed.remove(id);
        }
    }

    private void awaitFlush() {
        synchronized (flushed) {
            try {
                flushed.wait(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lost = true;
            }
        }
    }

    // ---- called by the group commit after its transaction ---------------------------------------------

    void committed(List<String> ids, long renewedUntil, boolean resumed) {
        committed.addAll(ids);
        leaseUntil = renewedUntil;
        if (resumed) {
            suspended = false;
        }
        synchronized (flushed) {
            flushed.notifyAll();
        }
    }

    void leaseLost() {
        lost = true;
        synchronized (flushed) {
            flushed.notifyAll();
        }
    }
}
