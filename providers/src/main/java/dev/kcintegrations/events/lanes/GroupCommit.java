package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.ops.DeliveryMetrics;
import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.sender.WebhookSender;
import dev.kcintegrations.events.store.AttemptEntity;
import dev.kcintegrations.events.store.BlockedBy;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.SubscriptionLease;
import dev.kcintegrations.events.store.SubscriptionStatus;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes the outcomes of every lane on this node, many at a time: whatever the lanes handed over while the
 * previous transaction ran goes into the next one. Per lane it takes one fenced statement that renews the
 * lease (and drops the lane's outcomes if the lease is no longer its own), then one {@code UPDATE … WHERE id
 * IN (…)} per kind of outcome and multi-row INSERTs for the attempts; the payload is never written back; last, one
 * statement sets the renewed leases again from the end of the write. A lease is given back through the same queue, so
 * only after the outcomes before it are committed.
 *
 * <p>Over 300 lines: the writer thread, its batching and the fenced transaction that applies a batch. What each
 * outcome means is decided in OutcomeRules (unit-tested without a database); this class only writes it.
 */
final class GroupCommit implements AutoCloseable, LaneOutcomes {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);
    /** Items one transaction takes at most: it stays short, and the next one follows at once. */
    static final int MAX_ITEMS = 1024;

    private sealed interface Item permits Sent, Held, Expired, Release, Renew {
        Lane lane();
    }

    private record Sent(Lane lane, PendingDelivery row, SendResult result, RetryPolicy.Verdict verdict, Duration delay,
                        long sentAt) implements Item {
    }

    private record Held(Lane lane, PendingDelivery row, String reason) implements Item {
    }

    private record Expired(Lane lane, PendingDelivery row) implements Item {
    }

    private record Release(Lane lane, ReleaseKind kind, long until, CompletableFuture<Boolean> done) implements Item {
    }

    /**
     * How a lane gives its subscription back: {@code ALWAYS}; {@code IF_IDLE}, only when no PENDING row is left;
     * {@code HELD}, every row left waits behind a held key (blocked until {@code until} or the next capture);
     * {@code PAUSED}, the receiver asked for a pause until {@code until}; {@code HEAD}, the head of a totally
     * ordered queue waits for its retry until {@code until}.
     */
    enum ReleaseKind { ALWAYS, IF_IDLE, HELD, PAUSED, HEAD }

    private record Renew(Lane lane, CompletableFuture<Boolean> done) implements Item {
    }

    /** Deliveries that end the same way: one UPDATE for all of them. */
    private record Finish(DeliveryStatus status, Integer httpStatus, String error) {
    }

    private final KeycloakSessionFactory sessionFactory;
    private final SubscriptionNotices notices;
    private final WebhookSettings settings;
    private final DeliveryMetrics metrics;
    private final String node;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** Consecutive failed transactions after which a batch is given up: its lanes stop, their leases run out. */
    static final int MAX_TRIES = 5;

    private volatile boolean running = true;
    private boolean closed; // guarded by queue: no item is taken after the writer's last drain
    private final Thread writer;

    GroupCommit(KeycloakSessionFactory sessionFactory, WebhookSettings settings, DeliveryMetrics metrics, String node,
                SubscriptionNotices notices) {
        this.sessionFactory = sessionFactory;
        this.notices = notices;
        this.settings = settings;
        this.metrics = metrics;
        this.node = node;
        this.writer = Thread.ofPlatform().name("kci-webhook-group-commit").daemon(true).start(this::run);
    }

    /** @param sentAt when the attempt came back: a retry is due {@code delay} after it (the same for a batch's rows) */
    @Override
    public void sent(Lane lane, PendingDelivery row, SendResult result, RetryPolicy.Verdict verdict, Duration delay, long sentAt) {
        offer(new Sent(lane, row, result, verdict, delay, sentAt), null);
    }

    /** The application may not receive the topic now: the head (and the queue behind it) waits. */
    @Override
    public void hold(Lane lane, PendingDelivery head, String reason) {
        offer(new Held(lane, head, reason), null);
    }

    @Override
    public void expired(Lane lane, PendingDelivery row) {
        offer(new Expired(lane, row), null);
    }

    /** Gives the lease back after the lane's outcomes (see {@link ReleaseKind}). */
    @Override
    public CompletableFuture<Boolean> release(Lane lane, ReleaseKind kind, long until) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        offer(new Release(lane, kind, until, done), done);
        return done;
    }

    /** Renews the lease (false: it is lost). */
    @Override
    public CompletableFuture<Boolean> renew(Lane lane) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        offer(new Renew(lane, done), done);
        return done;
    }

    /**
     * Queues an item, or, once the writer has taken its last items, answers it at once: an outcome not written
     * is sent again by the next holder of the lease (at least once), and a lane waiting for a release or a
     * renewal learns it did not happen.
     */
    private void offer(Item item, CompletableFuture<Boolean> done) {
        synchronized (queue) {
            if (!closed) {
                queue.add(item);
                return;
            }
        }
        if (done != null) {
            done.complete(false);
        }
    }

    private void run() {
        List<Item> items = new ArrayList<>();
        long backoff = 0;
        int tries = 0;
        while (running || !queue.isEmpty() || !items.isEmpty()) {
            try {
                if (items.isEmpty()) {
                    Item first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    items.add(first);
                }
                queue.drainTo(items, MAX_ITEMS - items.size());
                tries++;
                write(items);
                items.clear();
                backoff = 0;
                tries = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // The database is away: keep the outcomes and try again. Lanes stop sending once they have
                // MAX_UNFLUSHED outcomes waiting; a lease that ends meanwhile drops its lane's outcomes later.
                if (!running) {
                    break;
                }
                if (tries >= MAX_TRIES) {
                    // Not a passing outage, or one too long for the leases: give the batch up rather than let
                    // one bad item stop every lane of the node. Its lanes stop; their rows go out again once
                    // their leases end (at least once).
                    LOG.warnf("Webhook outcomes of %d item(s) given up after %d failed writes (%s); their rows are sent again",
                            items.size(), tries, e.getClass().getSimpleName());
                    giveUp(items);
                    items.clear();
                    tries = 0;
                    continue;
                }
                backoff = Math.min(Math.max(backoff * 2, 200), 5_000);
                LOG.warnf("Webhook outcomes not written (%s); retrying in %d ms", e.getClass().getSimpleName(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (queue) {
            closed = true;
            items.addAll(queue);
            queue.clear();
        }
        giveUp(items);
    }

    private static void giveUp(List<Item> items) {
        for (Item item : items) {
            item.lane().leaseLost();
            if (item instanceof Release release) {
                release.done().complete(false);
            } else if (item instanceof Renew renew) {
                renew.done().complete(false);
            }
        }
    }

    /** What one lane's part of a transaction did, applied once it committed. */
    private static final class LaneWrite {
        final Lane lane;
        final List<Item> items = new ArrayList<>();
        final List<String> finished = new ArrayList<>();
        final List<Runnable> counted = new ArrayList<>();
        final Map<Release, Boolean> releases = new LinkedHashMap<>();
        long renewedUntil;
        boolean lost;
        boolean resumed;

        LaneWrite(Lane lane) {
            this.lane = lane;
        }
    }

    private void write(List<Item> items) {
        Map<Lane, LaneWrite> byLane = new LinkedHashMap<>();
        for (Item item : items) {
            byLane.computeIfAbsent(item.lane(), LaneWrite::new).items.add(item);
        }
        long now = System.currentTimeMillis();
        // Subscriptions in id order, as every transaction that locks several of them takes them (a client or realm
        // deleted meanwhile locks its subscriptions so too): in any other order two of them could deadlock.
        List<LaneWrite> inLockOrder = byLane.values().stream()
                .sorted(Comparator.comparing(write -> write.lane.lease().subscriptionId())).toList();
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
            Outbox outbox = new Outbox(session);
            List<AttemptEntity> attempts = new ArrayList<>();
            List<String> pruned = new ArrayList<>();
            Map<Finish, List<String>> finishes = new LinkedHashMap<>();
            for (LaneWrite write : inLockOrder) {
                write.finished.clear();
                write.counted.clear();
                write.releases.clear();
                write.lost = write.resumed = false;
                writeLane(session, outbox, write, now, attempts, pruned, finishes);
            }
            finishes.forEach((kind, ids) -> outbox.outcomes().finish(ids, kind.status(), kind.httpStatus(), kind.error(), now));
            outbox.outcomes().insertAttempts(attempts);
            pruned.forEach(outbox.outcomes()::keepNewestAttempts);
            for (LaneWrite write : inLockOrder) {
                for (Item item : write.items) {
                    if (item instanceof Release release) {
                        write.releases.put(release, !write.lost && release(outbox, release, now));
                    }
                }
            }
            extendFromNow(outbox, inLockOrder);
        });
        for (LaneWrite write : byLane.values()) {
            if (write.lost) {
                LOG.debugf("Subscription %s: %d outcome(s) not recorded, the lease was taken over",
                        write.lane.lease().name(), write.items.size());
                write.lane.leaseLost();
            } else {
                write.counted.forEach(Runnable::run);
                write.lane.committed(write.finished, write.renewedUntil, write.resumed);
            }
            for (Item item : write.items) {
                if (item instanceof Release release) {
                    release.done().complete(write.releases.getOrDefault(release, false));
                } else if (item instanceof Renew renew) {
                    renew.done().complete(!write.lost);
                }
            }
        }
    }

    /**
     * The renewed leases count from the end of the write, not from its start. A lane sends only while its lease outlasts
     * an attempt; on a loaded node a write of many lanes' outcomes took longer than the lease's margin over an attempt,
     * so each renewal came back too short, its lane gave the subscription back unsent, claimed it again, and so on.
     */
    private void extendFromNow(Outbox outbox, List<LaneWrite> inLockOrder) {
        List<String> held = inLockOrder.stream().filter(write -> !write.lost).map(write -> write.lane.lease().subscriptionId()).toList();
        if (held.isEmpty()) {
            return;
        }
        long until = System.currentTimeMillis() + settings.lease().toMillis();
        outbox.leases().extend(held, node, until);
        inLockOrder.stream().filter(write -> !write.lost).forEach(write -> write.renewedUntil = until);
    }

    private static boolean release(Outbox outbox, Release release, long now) {
        SubscriptionLease lease = release.lane().lease();
        return switch (release.kind()) {
            case ALWAYS -> outbox.leases().release(lease, false, now, 0);
            case IF_IDLE -> outbox.leases().release(lease, true, now, LaneScheduler.quietSince(now));
            case HELD -> outbox.leases().releaseHeld(lease, release.until(), now, LaneScheduler.quietSince(now));
            case PAUSED -> outbox.leases().releaseBlocked(lease, release.until(), now, BlockedBy.RECEIVER);
            case HEAD -> outbox.leases().releaseBlocked(lease, release.until(), now, BlockedBy.HEAD);
        };
    }

    private void writeLane(KeycloakSession session, Outbox outbox, LaneWrite write, long now, List<AttemptEntity> attempts,
                           List<String> pruned, Map<Finish, List<String>> finishes) {
        Lane lane = write.lane;
        // The failure streak after these outcomes: failures since the last delivery, or added to the old one.
        int failures = 0;
        boolean delivered = false;
        boolean sent = false;
        Sent last = null;
        for (Item item : write.items) {
            if (item instanceof Sent s) {
                sent = true;
                last = s;
                if (s.verdict() == RetryPolicy.Verdict.DELIVERED) {
                    delivered = true;
                    failures = 0;
                } else {
                    failures++;
                }
            }
        }
        long until = now + settings.lease().toMillis();
        long lastAt = last == null ? -1 : last.sentAt();
        int lastStatus = last == null ? 0 : last.result().httpStatus().orElse(0);
        if (lane.lost() || !outbox.leases().renew(lane.lease(), until, failures, delivered, lastAt, lastStatus, lane.window())) {
            write.lost = true;
            return;
        }
        write.renewedUntil = until;
        SubscriptionEntity subscription = null;
        int parked = 0;
        Optional<OutcomeRules.Move> resume = OutcomeRules.afterSends(lane.suspended(), sent);
        if (resume.isPresent()) {
            subscription = outbox.subscription(lane.lease().subscriptionId());
            apply(subscription, resume.get(), now);
            notices.moved(session, subscription, "served again: the application may receive the topic");
            write.resumed = true;
        }
        for (Item item : write.items) {
            if (item instanceof Sent s) {
                attempts.add(attempt(s));
                if (s.row().attempts() + 1 >= Outbox.ATTEMPTS_KEPT) {
                    pruned.add(s.row().id());
                }
                OutcomeRules.AfterSend after = OutcomeRules.afterSend(s.verdict(), s.result().describe(), s.sentAt(), s.delay(),
                        s.row().createdAt(), settings.retention());
                if (s.verdict() == RetryPolicy.Verdict.DELIVERED || s.verdict() == RetryPolicy.Verdict.REJECTED) {
                    // Ended by the answer alone: one bulk UPDATE for all rows that end alike.
                    OutcomeRules.Ends ends = (OutcomeRules.Ends) after;
                    finishes.computeIfAbsent(new Finish(ends.status(), s.result().httpStatus().orElse(null), truncate(ends.reason())),
                            k -> new ArrayList<>()).add(s.row().id());
                    long createdAt = s.row().createdAt();
                    write.counted.add(ends.status() == DeliveryStatus.DELIVERED ? () -> metrics.delivered(createdAt) : metrics::rejected);
                } else {
                    subscription = subscription != null ? subscription : outbox.subscription(lane.lease().subscriptionId());
                    DeliveryEntity row = pending(outbox, s.row());
                    if (row != null) {
                        failed(row, s.result());
                        if (after instanceof OutcomeRules.Retries retries) {
                            outbox.outcomes().hold(subscription, row, retries.at(), lane.lease().ordering() == DeliveryOrdering.SUBSCRIPTION);
                            write.counted.add(metrics::retried);
                        } else if (after instanceof OutcomeRules.Ends ends) {
                            finish(row, ends.status(), now, ends.reason());
                            write.counted.add(ends.status() == DeliveryStatus.PARKED ? metrics::parked : metrics::rejected);
                            parked += ends.status() == DeliveryStatus.PARKED ? 1 : 0;
                        }
                        if (s.verdict() == RetryPolicy.Verdict.GONE) {
                            apply(subscription, OutcomeRules.gone(), now);
                            notices.moved(session, subscription, OutcomeRules.gone().reason());
                            write.counted.add(metrics::disabled);
                            LOG.infof("Webhook subscription %s disabled: its endpoint answered 410 Gone", subscription.getName());
                        }
                    }
                }
                write.finished.add(s.row().id());
            } else if (item instanceof Expired e) {
                DeliveryEntity row = pending(outbox, e.row());
                if (row != null) {
                    finish(row, DeliveryStatus.PARKED, now, "retention ended");
                    write.counted.add(metrics::parked);
                    parked++;
                }
                write.finished.add(e.row().id());
            } else if (item instanceof Held h) {
                DeliveryEntity row = pending(outbox, h.row());
                if (row == null) {
                    continue;
                }
                subscription = subscription != null ? subscription : outbox.subscription(lane.lease().subscriptionId());
                long next = now + settings.delayAfter(1).toMillis();
                row.setLastError(truncate("waiting: " + h.reason()));
                outbox.outcomes().hold(subscription, row, next, true); // access is the subscription's, not one key's
                Optional<OutcomeRules.Move> suspend = OutcomeRules.accessDenied(subscription.getStatus(), h.reason());
                if (suspend.isPresent()) {
                    apply(subscription, suspend.get(), now);
                    notices.moved(session, subscription, suspend.get().reason());
                    LOG.infof("Webhook subscription %s suspended: %s", subscription.getName(), h.reason());
                }
            }
        }
        if (parked > 0) {
            notices.parked(session, subscription != null ? subscription : outbox.subscription(lane.lease().subscriptionId()), parked);
        }
    }

    /**
     * The row, if it is still PENDING: housekeeping may have parked it (retention) or a cancel ended it while
     * its outcome waited, and a batch written again after a lost commit finds its own work done.
     */
    private static DeliveryEntity pending(Outbox outbox, PendingDelivery sent) {
        DeliveryEntity row = outbox.find(sent.id());
        return row != null && row.getStatus() == DeliveryStatus.PENDING ? row : null;
    }

    private static void apply(SubscriptionEntity subscription, OutcomeRules.Move move, long now) {
        if (move.to() == SubscriptionStatus.DISABLED) {
            subscription.disable(move.by());
        } else {
            subscription.moveTo(move.to());
        }
        if (move.to() == SubscriptionStatus.ACTIVE) {
            subscription.setBrokenSince(null); // the time it could not be sent is not its endpoint failing
        }
        subscription.setStatusReason(truncate(move.reason()));
        subscription.setUpdatedAt(now);
    }

    private static void failed(DeliveryEntity row, SendResult result) {
        row.setAttempts(row.getAttempts() + 1);
        row.setLastHttpStatus(result.httpStatus().orElse(null));
        row.setLastError(truncate(result.error()));
    }

    private static void finish(DeliveryEntity row, DeliveryStatus status, long now, String reason) {
        row.moveTo(status);
        row.setFinishedAt(now);
        row.setLastError(truncate(reason));
    }

    private AttemptEntity attempt(Sent sent) {
        SendResult result = sent.result();
        AttemptEntity attempt = new AttemptEntity();
        attempt.setId(UUID.randomUUID().toString());
        attempt.setDeliveryId(sent.row().id());
        attempt.setAttemptedAt(sent.sentAt() - result.latencyMillis());
        attempt.setHttpStatus(result.httpStatus().orElse(null));
        attempt.setLatencyMillis(result.latencyMillis());
        attempt.setOutcome(sent.verdict().name());
        attempt.setResponseExcerpt(result.responseExcerpt() == null ? null : truncate(result.responseExcerpt(), WebhookSender.EXCERPT_BYTES));
        attempt.setError(truncate(result.error()));
        attempt.setNode(node);
        return attempt;
    }

    private static String truncate(String text) {
        return truncate(text, 255);
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    @Override
    public void close() {
        running = false; // the writer empties the queue, then refuses what comes later
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
