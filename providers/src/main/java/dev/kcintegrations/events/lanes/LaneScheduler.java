package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.ops.DeliveryMetrics;
import dev.kcintegrations.events.ops.OutboxHealth;
import dev.kcintegrations.events.sender.BearerTokens;
import dev.kcintegrations.events.sender.WebhookSender;
import dev.kcintegrations.events.store.JobRuns;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.OutboxStatus;
import dev.kcintegrations.events.store.SubscriptionLease;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the outbox from this node, one lane per leased subscription. A claim loop leases subscriptions
 * with due work (at most one lane each, at most {@code max-concurrent-deliveries} lanes, no more than this
 * node's share when other nodes serve too) and starts their lanes; a capture that committed wakes the lane
 * of its subscription, or the claim loop when no lane here serves it. Otherwise the loop polls: the safety
 * net for retries that became due, leases that expired on a dead node, and captures on other nodes.
 *
 * <p>Over 300 lines: the claim loop, the wake-ups after a capture and this node's share of the work decide
 * together which lane runs; they read and change the same few fields under one lock, so they stay in one class.
 */
public final class LaneScheduler implements AutoCloseable, LaneContext {

    private static final Logger LOG = Logger.getLogger(LaneScheduler.class);
    public static final Duration STATS_EVERY = Duration.ofSeconds(5);
    private static final int MAX_STREAK_SERIES = 1000;

    private final KeycloakSessionFactory sessionFactory;
    private final WebhookSettings settings;
    private final WebhookSender sender;
    private final DeliveryMetrics metrics;
    private final OutboxHealth health;
    private final String node;
    private final SignatureCache signatures = new SignatureCache();
    private final GroupCommit groupCommit;
    private final LaneStore store;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Subscriptions woken here that no lane here serves: the next claim claims them, or touches them. */
    private final Set<String> wokenElsewhere = ConcurrentHashMap.newKeySet();
    /** Until when a subscription another node serves was touched from here: its lane reads what this node captures. */
    private final Map<String, Long> touchedUntil = new ConcurrentHashMap<>();
    private final ExecutorService laneThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kci-webhook-lane-", 0).factory());
    /** One virtual thread per POST on the wire. */
    private final ExecutorService sends = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kci-webhook-send-", 0).factory());
    /** POSTs on the wire from this node, over all lanes: max-connections, the pool's size. */
    private final ConnectionPermits connections;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition poked = lock.newCondition();
    private boolean pending;
    private volatile boolean othersWaiting;
    /** Nodes that delivered lately (this one included), from their heartbeats. */
    private volatile int liveNodes = 1;
    private boolean heldBack;
    private long lastHeartbeat;
    private volatile boolean running = true;
    private Thread loop;
    private long lastStats;

    public LaneScheduler(KeycloakSessionFactory sessionFactory, WebhookSettings settings, WebhookSender sender,
                         BearerTokens bearerTokens, DeliveryMetrics metrics, OutboxHealth health, String node,
                         SubscriptionNotices notices) {
        this.sessionFactory = sessionFactory;
        this.settings = settings;
        this.sender = sender;
        this.metrics = metrics;
        this.health = health;
        this.node = node;
        this.groupCommit = new GroupCommit(sessionFactory, settings, metrics, node, notices);
        this.store = new JpaLaneStore(sessionFactory, settings, bearerTokens);
        this.connections = new ConnectionPermits(settings.maxConnections());
    }

    public void start() {
        loop = Thread.ofPlatform().name("kci-webhook-claims").daemon(true).start(this::run);
    }

    /**
     * Rows for these subscriptions committed. A lane here serving one reads it anyway. One that another node
     * serves and that this node touched less than {@link #TOUCH_WINDOW} ago is read there: that node's lane
     * cannot give it back before the window has passed (plus {@link #CLOCK_SKEW}), and these rows committed
     * within it. Any other is claimed here, or touched for the next window, by the claim loop.
     */
    public void wake(Collection<String> subscriptionIds) {
        boolean claim = false;
        long now = System.currentTimeMillis();
        for (String id : subscriptionIds) {
            Lane lane = lanes.get(id);
            if (lane != null && lane.wake()) {
                continue;
            }
            Long touched = touchedUntil.get(id);
            if (touched != null && touched > now) {
                continue;
            }
            wokenElsewhere.add(id);
            claim = true;
        }
        if (claim) {
            poke();
        }
    }

    /** How long a touch from this node lets it leave a subscription to the node that serves it. */
    static final Duration TOUCH_WINDOW = Duration.ofSeconds(1);
    /** How far apart the nodes' clocks may be (they write and compare TOUCHED_AT): NTP keeps them far closer. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(1);

    /** Before this, a touch no longer keeps a lane from giving its subscription back. */
    static long quietSince(long now) {
        return now - TOUCH_WINDOW.toMillis() - CLOCK_SKEW.toMillis();
    }

    /** Something changed that any subscription's queue may depend on (a requeue, a verification): claim now. */
    public void poke() {
        lock.lock();
        try {
            pending = true;
            poked.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 0;
        while (running) {
            try {
                heartbeat();
                claim();
                backoff = 0;
                refreshStats();
                await(settings.pollInterval().toMillis());
            } catch (RuntimeException | Error e) {
                // The database is away (restart, failover): keep trying, a little slower each time. Nothing
                // one receiver answers reaches this loop; an Error here is ours, and the loop must outlive it.
                backoff = Math.min(Math.max(backoff * 2, 500), 10_000);
                LOG.warnf("Webhook lanes could not claim subscriptions (%s); retrying in %d ms", e.getClass().getSimpleName(), backoff);
                await(backoff);
            }
        }
    }

    private void claim() {
        int free = settings.maxConcurrentDeliveries() - lanes.size();
        long now = System.currentTimeMillis();
        List<String> woken = List.copyOf(wokenElsewhere);
        wokenElsewhere.removeAll(woken);
        List<String> touched = new ArrayList<>();
        AtomicBoolean claimed = new AtomicBoolean();
        List<SubscriptionLease> leases = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Outbox outbox = new Outbox(session);
            touched.clear();
            touched.addAll(outbox.leases().touchServedElsewhere(woken, node, now)); // first: see Leases.touchServedElsewhere
            // Then, in the same transaction: a new row may be of a free key (see Leases.releaseHeld). After the
            // touch, a lane giving the subscription back either waited for this transaction's lock and keeps it
            // (the touch), or committed before, and this statement sees its block.
            outbox.leases().unblockKeys(woken);
            if (free <= 0) {
                othersWaiting = outbox.leases().claimable(now) > 0;
                return List.<SubscriptionLease>of();
            }
            Leases.Claim claim = outbox.leases().claimSubscriptions(free, node, now, settings.lease().toMillis(), liveNodes, lanes.size(),
                    heldBack);
            claimed.set(claim.heldBack());
            return claim.leases();
        });
        // Work this node left to the others is taken here at the next claim if they have not taken it.
        heldBack = claimed.get();
        touched.forEach(id -> touchedUntil.put(id, now + TOUCH_WINDOW.toMillis()));
        touchedUntil.values().removeIf(until -> until < now);
        if (free <= 0) {
            return;
        }
        othersWaiting = leases.size() == free;
        for (SubscriptionLease lease : leases) {
            Lane lane = new Lane(this, lease);
            lanes.put(lease.subscriptionId(), lane);
            laneThreads.submit(lane);
        }
    }

    private void await(long millis) {
        lock.lock();
        try {
            if (!pending && running) {
                poked.await(millis, TimeUnit.MILLISECONDS);
            }
            pending = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** A lane slot is free: claim again (a capture that found every slot taken is waiting for one). */
    @Override
    public void laneEnded(Lane lane) {
        lane.end();
        lanes.remove(lane.lease().subscriptionId(), lane);
        if (lane.wokenWhileExiting()) {
            // A capture came while the lane gave the subscription back: claimed (or unblocked) now that it has.
            wokenElsewhere.add(lane.lease().subscriptionId());
        }
        poke();
    }

    /** Once a poll interval: this node delivers; how many do. */
    private void heartbeat() {
        long now = System.currentTimeMillis();
        long every = settings.pollInterval().toMillis();
        if (now - lastHeartbeat < every) {
            return;
        }
        lastHeartbeat = now;
        liveNodes = Math.max(1, KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            JobRuns runs = new JobRuns(session);
            runs.forgetNodes(now - 100 * every);
            return runs.heartbeat(node, now, now - 3 * every);
        }));
    }

    private void refreshStats() {
        long now = System.currentTimeMillis();
        if (now - lastStats < STATS_EVERY.toMillis()) {
            return;
        }
        lastStats = now;
        OutboxStatus status = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> new Outbox(session).queries().status(now, MAX_STREAK_SERIES));
        metrics.outbox(status);
        health.publish(status);
    }

    // ---- what lanes use ---------------------------------------------------------------------------------

    @Override
    public boolean running() {
        return running;
    }

    @Override
    public boolean othersWaiting() {
        return othersWaiting;
    }

    @Override
    public WebhookSettings settings() {
        return settings;
    }

    @Override
    public WebhookSender sender() {
        return sender;
    }

    @Override
    public ExecutorService sends() {
        return sends;
    }

    @Override
    public ConnectionPermits connections() {
        return connections;
    }

    @Override
    public SignatureCache signatures() {
        return signatures;
    }

    @Override
    public LaneStore store() {
        return store;
    }

    @Override
    public LaneOutcomes outcomes() {
        return groupCommit;
    }

    @Override
    public void close() {
        running = false;
        poke();
        laneThreads.shutdown();
        try {
            if (loop != null) {
                loop.join(2000);
            }
            // A send on the wire ends within attempt-timeout; its outcome still reaches the group commit.
            laneThreads.awaitTermination(settings.attemptTimeout().toSeconds() + 2, TimeUnit.SECONDS);
            sends.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        groupCommit.close();
        signatures.close();
    }
}
