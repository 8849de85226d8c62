package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.sender.BatchBody;
import dev.kcintegrations.events.sender.BearerTokens;
import dev.kcintegrations.events.sender.ClientIdentity;
import dev.kcintegrations.events.sender.DeliveryHeaders;
import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import org.jboss.logging.Logger;
import org.keycloak.crypto.KeyWrapper;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Serves one leased subscription on this node. It reads the bottom of its PENDING range and keeps up to its
 * send window of POSTs on the wire, never two of one order key ({@link KeySchedule}): with {@code subject}
 * ordering the events of one user or resource arrive in capture order while others go side by side, and a
 * failing event holds only its own key; with {@code subscription} ordering every row has one key and the
 * window is one, so the receiver sees the queue's order and a failing head holds the rest. The window
 * ({@link SendWindow}) shrinks while the receiver pushes back. Every outcome goes to the group commit without
 * waiting for it. The lease is given back when the queue is empty, when all that is left waits for retries,
 * when the receiver asks for a pause, or after a quantum when other subscriptions wait for a lane.
 *
 * <p>Over 300 lines: one lane's loop (read, pick what may go, send, hand the outcomes over, renew or give back)
 * shares its state between every step, and each step is a method of its own. Its edges are narrow interfaces
 * (LaneContext: the store's reads, where outcomes go, the sender), so LaneTest runs it against an in-memory queue.
 */
final class Lane implements Runnable {

    private static final Logger LOG = Logger.getLogger(Lane.class);
    /** Rows one read takes at most: the buffer the schedule picks from. */
    static final int READ_AHEAD = 256;
    /** Sent rows whose outcome is not yet committed; the lane waits beyond this (the group commit is behind). */
    static final int MAX_UNFLUSHED = 256;
    /** How often a lane with an empty queue reads again while another node captures for its subscription. */
    static final Duration LINGER_READS = Duration.ofMillis(50);
    /** How long a lane serves before it yields to subscriptions waiting for one. */
    static final Duration QUANTUM = Duration.ofSeconds(2);
    /** A held key due sooner than this is waited for here; a later one lets the lease go until it is due. */
    static final Duration WAIT_FOR_HELD = Duration.ofSeconds(1);
    /**
     * How often a lane that is sending asks again whether the application may still receive: every POST
     * follows a check made less than this before it.
     */
    static final long ACCESS_RECHECK_MILLIS = 1000;

    /** What the lane thread waits for: an attempt that ended, a capture, or outcomes written. */
    private record Completion(List<PendingDelivery> rows, boolean batch, long ticket, SendResult result) {
    }

    private static final Object WOKEN = new Object();
    private static final Object FLUSHED = new Object();

    private final LaneContext scheduler;
    private final SubscriptionLease lease;
    private final RetryPolicy retryPolicy;
    private final DeliveryOrdering ordering;
    private final KeySchedule schedule;
    private final SendWindow window;
    private final Set<String> unflushed = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> committed = new ConcurrentLinkedQueue<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private volatile long leaseUntil;
    private volatile boolean lost;
    private volatile boolean suspended;
    private volatile int windowNow;
    // guarded by this
    private boolean exiting;
    private boolean wokenSinceRead;
    private boolean wokenWhileExiting;
    // the lane thread's own
    private long accessCheckedAt;
    private int inFlight;
    private int emptyReads;
    private boolean released;
    private boolean readNeeded = true;
    /** Nothing more is sent; the lane ends once what is on the wire has come back. */
    private boolean stopping;
    private Read sending;

    Lane(LaneContext scheduler, SubscriptionLease lease) {
        this.scheduler = scheduler;
        this.lease = lease;
        this.leaseUntil = lease.until();
        this.suspended = lease.suspended();
        this.retryPolicy = new RetryPolicy(scheduler.settings());
        this.ordering = lease.ordering();
        this.schedule = new KeySchedule(ordering == DeliveryOrdering.SUBSCRIPTION ? row -> PendingDelivery.NO_ORDER_KEY
                : PendingDelivery::orderKey);
        this.window = new SendWindow(ceiling(lease.ordering(), lease.maxInFlight()), lease.sendWindow());
        this.windowNow = window.limit();
    }

    /** POSTs a subscription's lane may keep on the wire at most: one for total order, else its own and the node's bound. */
    int ceiling(DeliveryOrdering ordering, Integer maxInFlight) {
        if (ordering == DeliveryOrdering.SUBSCRIPTION) {
            return 1;
        }
        int asked = maxInFlight == null ? scheduler.settings().defaultMaxInFlight() : maxInFlight;
        return Math.max(1, Math.min(asked, scheduler.settings().maxInFlight()));
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

    /** The send window now: what the group commit writes for administrators to see. */
    int window() {
        return windowNow;
    }

    /**
     * A capture for this subscription committed. True: this lane will read it (it reads before it gives the
     * subscription back); false: the lane is ending, and the scheduler must claim again once it has.
     */
    synchronized boolean wake() {
        if (exiting) {
            wokenWhileExiting = true;
            return false;
        }
        wokenSinceRead = true;
        inbox.offer(WOKEN);
        return true;
    }

    /** Whether a capture came while the lane was giving its subscription back (the scheduler wakes it again). */
    synchronized boolean wokenWhileExiting() {
        return wokenWhileExiting;
    }

    /** The lane may end unless a capture came since its last read (then it reads again). */
    private synchronized boolean tryExit() {
        if (wokenSinceRead) {
            return false;
        }
        exiting = true;
        return true;
    }

    /** The subscription was not given back after all: the lane serves on. */
    private synchronized void stayAfterAll() {
        exiting = false;
        if (wokenWhileExiting) {
            wokenWhileExiting = false;
            wokenSinceRead = true;
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
                release(GroupCommit.ReleaseKind.ALWAYS, 0); // shutting down, or stopped by an error: the next node need not wait
            }
            scheduler.laneEnded(this);
        }
    }

    private boolean release(GroupCommit.ReleaseKind kind, long until) {
        released = true;
        return scheduler.outcomes().release(this, kind, until).join();
    }

    private void serve() {
        long started = System.currentTimeMillis();
        while (!lost) {
            forgetCommitted();
            drainInbox(0);
            if (!scheduler.running()) {
                stopping = true;
            }
            if (stopping) {
                if (inFlight == 0) {
                    release(GroupCommit.ReleaseKind.ALWAYS, 0);
                    return;
                }
                drainInbox(100);
                continue;
            }
            long now = System.currentTimeMillis();
            if (window.pausedUntil() > now) {
                if (inFlight == 0 && window.pausedUntil() - now > WAIT_FOR_HELD.toMillis()) {
                    release(GroupCommit.ReleaseKind.PAUSED, window.pausedUntil()); // the receiver asked for a pause
                    return;
                }
                drainInbox(Math.min(100, window.pausedUntil() - now));
                continue;
            }
            if (inFlight < window.limit() && unflushed.size() < MAX_UNFLUSHED) {
                List<PendingDelivery> rows = take(now);
                if (rows.isEmpty() && readNeeded) {
                    Read read = read();
                    if (read == null) {
                        return; // the lease is gone
                    }
                    if (read.stop() != null) {
                        stopping = true;
                        continue;
                    }
                    rows = take(now);
                }
                if (!rows.isEmpty()) {
                    long fillBy = fillBy(rows);
                    if (fillBy > now) {
                        // A batch that is not full waits for more events, up to its oldest one's maxWaitMs; what
                        // a capture adds meanwhile is read into it.
                        schedule.putBack(rows);
                        if (readNeeded) {
                            Read read = read();
                            if (read == null) {
                                return;
                            }
                            stopping = read.stop() != null;
                            continue;
                        }
                        drainInbox(Math.min(fillBy - now, LINGER_READS.toMillis()));
                        continue;
                    }
                    if (!sendOrSkip(rows)) {
                        stopping = true;
                    }
                    continue;
                }
            }
            if (inFlight == 0 && !readNeeded) {
                // The last read left nothing to send now: the queue is empty, or all of it waits behind held keys.
                if (!unflushed.isEmpty()) {
                    drainInbox(20); // until the outcomes are written: the queue in the database is what counts
                    readNeeded = true;
                    continue;
                }
                if (giveBack(now)) {
                    return;
                }
                continue;
            }
            if (System.currentTimeMillis() - started > QUANTUM.toMillis() && scheduler.othersWaiting()) {
                stopping = true;
                continue;
            }
            drainInbox(LINGER_READS.toMillis());
        }
    }

    /** The next row to send, or with batches the next batch. */
    private List<PendingDelivery> take(long now) {
        if (lease.batching() == null) {
            PendingDelivery row = schedule.next(now);
            return row == null ? List.of() : List.of(row);
        }
        return schedule.nextBatch(now, lease.batching().maxEvents(), Lane::batchable);
    }

    /** Only rows written as CloudEvents go in a batch: one captured as {@code ess} before the format changed goes alone. */
    private static boolean batchable(PendingDelivery row) {
        return row.bodyFormat() == BodyFormat.CLOUDEVENTS;
    }

    /** Until when a batch that is not full waits for more; 0 when it goes now. */
    private long fillBy(List<PendingDelivery> rows) {
        Batching batching = lease.batching();
        if (batching == null || rows.size() >= batching.maxEvents() || !batchable(rows.get(0))) {
            return 0;
        }
        return rows.stream().mapToLong(PendingDelivery::createdAt).min().orElse(0) + batching.maxWaitMs();
    }

    /**
     * Sends rows (one, or a batch), ending those whose retention ran out. False when the lane must stop sending:
     * the application may no longer receive, or the lease could not be kept for another attempt.
     */
    private boolean sendOrSkip(List<PendingDelivery> taken) {
        long now = System.currentTimeMillis();
        List<PendingDelivery> rows = new ArrayList<>(taken.size());
        List<PendingDelivery> expired = new ArrayList<>();
        for (PendingDelivery row : taken) {
            if (now - row.createdAt() > scheduler.settings().retention().toMillis()) {
                unflushed.add(row.id());
                scheduler.outcomes().expired(this, row);
                expired.add(row);
            } else {
                rows.add(row);
            }
        }
        for (PendingDelivery row : expired) {
            // Its key is free only if none of the rows still to be sent is of it: they keep it busy until they return.
            if (rows.stream().noneMatch(other -> schedule.keyOf(other).equals(schedule.keyOf(row)))) {
                schedule.completed(row, null);
            }
        }
        if (rows.isEmpty()) {
            return true;
        }
        if (!leaseHoldsFor(scheduler.settings().attemptTimeout())) {
            schedule.putBack(rows);
            return false;
        }
        if (System.currentTimeMillis() - accessCheckedAt > ACCESS_RECHECK_MILLIS) {
            String denial = accessDenial();
            if (denial != null) {
                PendingDelivery head = rows.get(0);
                unflushed.add(head.id());
                scheduler.outcomes().hold(this, head, denial);
                schedule.completed(head, Long.MAX_VALUE);
                schedule.putBack(rows.subList(1, rows.size()));
                return false;
            }
        }
        if (!scheduler.connections().take(50)) {
            // The node's connections are all in use: try again after a look at what came back.
            schedule.putBack(rows);
            return true;
        }
        dispatch(rows);
        return true;
    }

    private void dispatch(List<PendingDelivery> rows) {
        Read read = sending;
        long ticket = window.dispatched();
        inFlight++;
        rows.forEach(row -> unflushed.add(row.id())); // left out of every read until their outcome is written
        byte[] body;
        String webhookId;
        String contentType;
        CompletableFuture<String> signature;
        boolean batch = lease.batching() != null && batchable(rows.get(0));
        if (batch) {
            BatchBody batchBody = BatchBody.of(rows.stream().map(PendingDelivery::eventId).toList(),
                    rows.stream().map(PendingDelivery::payload).toList());
            body = batchBody.body();
            webhookId = batchBody.id();
            contentType = Batching.CONTENT_TYPE;
            signature = scheduler.signatures().signature(read.key(), body);
        } else {
            PendingDelivery row = rows.get(0);
            body = row.payload().getBytes(StandardCharsets.UTF_8);
            webhookId = row.eventId();
            contentType = row.bodyFormat().contentType();
            signature = row.signatureBy(read.key().getKid()).map(CompletableFuture::completedFuture)
                    .orElseGet(() -> scheduler.signatures().signature(read.key(), body));
        }
        String correlationId = rows.get(0).correlationId();
        try {
            send(rows, batch, ticket, read, webhookId, correlationId, contentType, body, signature);
        } catch (RejectedExecutionException shuttingDown) {
            // The node is stopping: nothing went out; the rows stay PENDING for the next holder of the lease.
            scheduler.connections().giveBack();
            inFlight--;
            rows.forEach(row -> unflushed.remove(row.id()));
            schedule.putBack(rows);
            stopping = true;
        }
    }

    /** Sends on a thread of its own; the outcome comes back through the inbox. */
    private void send(List<PendingDelivery> rows, boolean batch, long ticket, Read read, String webhookId, String correlationId,
                      String contentType, byte[] body, CompletableFuture<String> signature) {
        scheduler.sends().execute(() -> {
            SendResult result;
            try {
                result = send(read, webhookId, correlationId, contentType, body, signature);
            } catch (RuntimeException e) {
                result = SendResult.failed(0, "could not send (" + e.getClass().getSimpleName() + ")");
            } finally {
                scheduler.connections().giveBack();
            }
            inbox.offer(new Completion(rows, batch, ticket, result));
        });
    }

    private SendResult send(Read read, String webhookId, String correlationId, String contentType, byte[] body,
                            CompletableFuture<String> signature) {
        String concur;
        try {
            concur = signature.join();
        } catch (RuntimeException e) {
            return SendResult.failed(0, "could not sign the body (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> headers = DeliveryHeaders.of(read.secrets(), webhookId, correlationId, body, concur);
        if (lease.auth() != null) { // its grant was checked with the access, at most ACCESS_RECHECK_MILLIS ago
            try {
                headers.put(DeliveryHeaders.AUTHORIZATION, "Bearer " + scheduler.store().bearer(lease, read.endpoint(), read.issuer()));
            } catch (BearerTokens.Refused refused) {
                return SendResult.failed(0, "no bearer token: " + refused.getMessage());
            }
        }
        SendResult result = scheduler.sender().send(read.policy(), read.endpoint(), contentType, body, headers, read.identity());
        if (lease.auth() != null && result.httpStatus().orElse(0) == 401) {
            scheduler.store().forgetBearer(lease, read.endpoint()); // a key rotated, a gateway's cache: the retry gets a new one
        }
        return result;
    }

    /** Takes what came in, waiting up to {@code millis} for the first of it. */
    private void drainInbox(long millis) {
        try {
            Object first = millis <= 0 ? inbox.poll() : inbox.poll(millis, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            handle(first);
            Object next;
            while ((next = inbox.poll()) != null) {
                handle(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost = true;
        }
    }

    private void handle(Object message) {
        readNeeded = true; // a key came free, a row came in, or outcomes were written: the next read may find more
        if (message instanceof Completion done) {
            completed(done);
        } else if (message == FLUSHED) {
            forgetCommitted();
        }
    }

    /** An attempt (of one row, or of a batch: one outcome for all of its rows) came back. */
    private void completed(Completion done) {
        inFlight--;
        SendResult result = done.result();
        long now = System.currentTimeMillis();
        window.onResult(done.ticket(), result, now);
        windowNow = window.limit();
        RetryPolicy.Verdict verdict = done.batch() ? RetryPolicy.judgeBatch(result) : RetryPolicy.judge(result);
        // One delay for the whole POST: a batch's events come due together and go again as one batch (each
        // drawing its own jitter split them, and the first retry carried only those due first).
        int failed = done.rows().stream().mapToInt(PendingDelivery::attempts).max().orElse(0) + 1;
        Duration delay = verdict == RetryPolicy.Verdict.RETRY ? retryPolicy.nextDelay(failed, result) : Duration.ZERO;
        for (PendingDelivery row : done.rows()) {
            scheduler.outcomes().sent(this, row, result, verdict, delay, now);
            schedule.completed(row, verdict == RetryPolicy.Verdict.RETRY ? now + delay.toMillis() : null);
            LOG.debugf("Delivery %s of event %s to subscription %s: %s (%s), correlationId=%s", row.id(), row.eventId(),
                    lease.name(), verdict, result.describe(), row.correlationId());
        }
        if (verdict == RetryPolicy.Verdict.GONE || (verdict == RetryPolicy.Verdict.RETRY && ordering == DeliveryOrdering.SUBSCRIPTION)) {
            stopping = true; // closed, or the whole queue waits behind its head (its hold blocks the subscription)
        }
    }

    /**
     * Nothing is on the wire and the last read left nothing to send now. Gives the subscription back (true) —
     * empty: only if nothing came in meanwhile; all of it behind held keys: blocked until the earliest is due
     * or a capture comes — or waits a little and reads again (false).
     */
    private boolean giveBack(long now) {
        boolean held = schedule.heldKeys(now) > 0 || schedule.buffered();
        long due = schedule.earliestHeld(now);
        if (held && ordering == DeliveryOrdering.SUBSCRIPTION && due - now > WAIT_FOR_HELD.toMillis()) {
            // The head waits for its retry, and the queue behind it: blocked until then, or claims would spin.
            release(GroupCommit.ReleaseKind.HEAD, due == Long.MAX_VALUE ? now + WAIT_FOR_HELD.toMillis() : due);
            return true;
        }
        if (held && due - now <= WAIT_FOR_HELD.toMillis()) {
            drainInbox(Math.max(1, due - now));
            readNeeded = true;
            return false;
        }
        if (!tryExit()) {
            readNeeded = true; // a capture came after the last read
            return false;
        }
        boolean gone = held ? release(GroupCommit.ReleaseKind.HELD, due == Long.MAX_VALUE ? now + WAIT_FOR_HELD.toMillis() : due)
                : release(GroupCommit.ReleaseKind.IF_IDLE, 0);
        if (gone || lost) {
            return true;
        }
        released = false;
        stayAfterAll();
        readNeeded = true;
        // A row came in after the read (read again at once), or another node captured for this subscription
        // lately and leaves it to this lane (read again soon, at once when woken here).
        if (emptyReads++ > 0) {
            drainInbox(LINGER_READS.toMillis());
        }
        return false;
    }

    /**
     * What one read of the queue found, with what sending it needs; {@code stop} set: the queue is not served now.
     */
    private record Read(String endpoint, List<String> secrets, WebhookTargetPolicy policy, KeyWrapper key, URI issuer,
                        ClientIdentity identity, String stop) {
    }

    /** Reads the queue into the schedule; null when the lease is gone. */
    private Read read() {
        synchronized (this) {
            wokenSinceRead = false; // a wake from here on may be for a row this read misses: the lane reads again
        }
        readNeeded = false;
        long now = System.currentTimeMillis();
        List<String> sent = List.copyOf(unflushed);
        Set<String> keysOut = schedule.skipKeys(now, unflushed::contains);
        Set<String> busyKeys = schedule.busy();
        // With total order the schedule has one key for every row, whatever the rows store: it must see the
        // bottom of the queue as it is (a waiting head holds all), so no stored key is left out of the read.
        Set<String> skip = ordering == DeliveryOrdering.SUBSCRIPTION ? Set.of() : keysOut;
        LaneStore.QueueRead found = scheduler.store().read(lease, READ_AHEAD, sent, skip, slice -> {
            if (slice.rows().size() < READ_AHEAD || ordering != DeliveryOrdering.SUBJECT) {
                return null;
            }
            // The read filled up: if its rows are of few keys already on the wire, the keys behind them get a read
            // of their own, or one busy user would keep every other one waiting.
            Set<String> wider = new HashSet<>(skip);
            wider.addAll(busyKeys);
            wider.addAll(slice.heldKeys().keySet());
            slice.rows().forEach(row -> wider.add(row.orderKey()));
            return wider;
        }, now);
        if (found == null) {
            lost = true;
            return null;
        }
        Leases.QueueSlice slice = found.slice();
        accessCheckedAt = System.currentTimeMillis();
        if (!slice.status().served()) {
            return stop("subscription is " + slice.status());
        }
        if (slice.ordering() != lease.ordering() || !Objects.equals(slice.maxInFlight(), lease.maxInFlight())
                || !Objects.equals(slice.batching(), lease.batching()) || !Objects.equals(slice.auth(), lease.auth())) {
            return stop("its delivery settings changed"); // the next claim serves it as it is now
        }
        if (found.realmGone()) {
            return stop("realm no longer exists");
        }
        Read read = new Read(slice.endpoint(), slice.secrets(), found.policy(), found.key(), found.issuer(), found.identity(), null);
        schedule.refill(slice.rows(), slice.heldKeys());
        schedule.append(found.more());
        emptyReads = slice.rows().isEmpty() ? emptyReads : 0;
        if (found.denial() != null && !slice.rows().isEmpty()) {
            PendingDelivery head = slice.rows().get(0);
            unflushed.add(head.id());
            scheduler.outcomes().hold(this, head, found.denial());
            return stop(found.denial());
        }
        sending = read;
        return read;
    }

    private static Read stop(String why) {
        return new Read(null, null, null, null, null, null, why);
    }

    /** Why the application may not receive now (through Keycloak's realm cache), or null when it may. */
    private String accessDenial() {
        String denial = scheduler.store().accessDenial(lease);
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
        return scheduler.outcomes().renew(this).join() && !lost && leaseUntil - System.currentTimeMillis() > margin;
    }

    /** Rows whose outcome committed are no longer PENDING: a read that begins after this cannot return them. */
    private void forgetCommitted() {
        String id;
        while ((id = committed.poll()) != null) {
            unflushed.remove(id);
        }
    }

    // ---- called by the group commit after its transaction ---------------------------------------------

    void committed(List<String> ids, long renewedUntil, boolean resumed) {
        committed.addAll(ids);
        leaseUntil = renewedUntil;
        if (resumed) {
            suspended = false;
        }
        inbox.offer(FLUSHED);
    }

    void leaseLost() {
        lost = true;
        inbox.offer(FLUSHED);
    }
}
