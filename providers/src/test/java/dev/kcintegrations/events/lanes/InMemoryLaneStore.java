package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import dev.kcintegrations.events.store.SubscriptionStatus;
import org.keycloak.crypto.KeyWrapper;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One subscription's queue in memory, with the lease fence the database keeps: a read or a write under an epoch
 * that is no longer the subscription's finds nothing and writes nothing, as {@code Leases.slice} and the group
 * commit's fenced renewal do. Outcomes are written on a thread of their own, after the lane handed them over, as
 * the group commit writes them.
 */
final class InMemoryLaneStore implements LaneStore, LaneOutcomes, AutoCloseable {

    static final String KID = "k1";

    /** A row of the queue and what became of it. */
    static final class Row {
        final PendingDelivery row;
        final long seq;
        DeliveryStatus status = DeliveryStatus.PENDING;
        long nextAttemptAt;
        int attempts;

        Row(PendingDelivery row, long seq) {
            this.row = row;
            this.seq = seq;
            this.nextAttemptAt = row.nextAttemptAt();
        }

        PendingDelivery pending() {
            return new PendingDelivery(row.id(), row.eventId(), row.correlationId(), row.orderKey(), row.payload(), row.format(),
                    row.concurSignature(), row.signedWith(), attempts, row.createdAt(), nextAttemptAt);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final String endpoint;
    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private final WebhookTargetPolicy loopback = new WebhookTargetPolicy(List.of("127.0.0.1"), InetAddress::getAllByName);
    private final KeyWrapper key = new KeyWrapper();
    private long epoch = 1;
    private int writesRefused;

    InMemoryLaneStore(String endpoint) {
        this.endpoint = endpoint;
        key.setKid(KID);
    }

    /** Queues an event of {@code user}: its body names the user and its place in the queue. */
    synchronized void add(String user) {
        int n = rows.size() + 1;
        String id = "d" + n;
        String payload = "{\"id\":\"e" + n + "\",\"user\":\"" + user + "\",\"n\":" + n + "}";
        rows.add(new Row(new PendingDelivery(id, "e" + n, "c" + n, user, payload, null, "stored-signature", KID, 0,
                System.currentTimeMillis(), 0), n));
    }

    SubscriptionLease lease(DeliveryOrdering ordering, int maxInFlight) {
        return new SubscriptionLease("sub-1", "realm-1", "subscription", "app-1", "public.test", "this-node", epoch,
                System.currentTimeMillis() + 60_000, false, ordering, maxInFlight, null, null, null);
    }

    /** Another node took the subscription over: a new epoch, which the lane's lease no longer matches. */
    synchronized void takeOver() {
        epoch++;
    }

    synchronized Map<String, DeliveryStatus> statuses() {
        Map<String, DeliveryStatus> statuses = new HashMap<>();
        rows.forEach(r -> statuses.put(r.row.id(), r.status));
        return statuses;
    }

    synchronized int writesRefused() {
        return writesRefused;
    }

    // ---- the lane's reads

    @Override
    public synchronized QueueRead read(SubscriptionLease lease, int max, List<String> sent, Set<String> skip,
                                       Function<Leases.QueueSlice, Set<String>> wider, long now) {
        if (lease.epoch() != epoch) {
            return null;
        }
        Map<String, Long> held = new HashMap<>();
        if (lease.ordering() == DeliveryOrdering.SUBJECT) {
            rows.stream().filter(r -> r.status == DeliveryStatus.PENDING && r.nextAttemptAt > now)
                    .forEach(r -> held.merge(r.row.orderKey(), r.nextAttemptAt, Math::min));
        }
        Leases.QueueSlice slice = slice(lease, max, sent, union(skip, held.keySet()), held);
        Set<String> widened = wider.apply(slice);
        List<PendingDelivery> more = widened == null ? List.of() : slice(lease, max, sent, union(widened, held.keySet()), held).rows();
        return new QueueRead(slice, more, false, loopback, key, null, null, null);
    }

    /** A token that names its audience: the lane's unit tests do not issue real ones. */
    @Override
    public String bearer(SubscriptionLease lease, String endpoint, URI issuer) {
        return "bearer-for-" + lease.auth().audience();
    }

    @Override
    public void forgetBearer(SubscriptionLease lease, String endpoint) {
        // nothing cached
    }

    private Leases.QueueSlice slice(SubscriptionLease lease, int max, Collection<String> sent, Set<String> skip, Map<String, Long> held) {
        List<PendingDelivery> pending = rows.stream()
                .filter(r -> r.status == DeliveryStatus.PENDING && !sent.contains(r.row.id()) && !skip.contains(r.row.orderKey()))
                .limit(max).map(Row::pending).toList();
        return new Leases.QueueSlice(SubscriptionStatus.ACTIVE, lease.ordering(), lease.maxInFlight(), null, endpoint, List.of("whsec_test"), null,
                pending, held);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public String accessDenial(SubscriptionLease lease) {
        return null;
    }

    // ---- where the lane's outcomes go

    @Override
    public void sent(Lane lane, PendingDelivery row, SendResult result, RetryPolicy.Verdict verdict, Duration delay, long sentAt) {
        write(lane, row.id(), true, r -> {
            r.attempts++;
            switch (verdict) {
                case DELIVERED -> r.status = DeliveryStatus.DELIVERED;
                case RETRY -> r.nextAttemptAt = sentAt + delay.toMillis();
                default -> r.status = DeliveryStatus.REJECTED;
            }
        });
    }

    @Override
    public void hold(Lane lane, PendingDelivery head, String reason) {
        write(lane, head.id(), false, r -> r.nextAttemptAt = Long.MAX_VALUE); // held rows stay out of reads, as in the group commit
    }

    @Override
    public void expired(Lane lane, PendingDelivery row) {
        write(lane, row.id(), true, r -> r.status = DeliveryStatus.PARKED);
    }

    /**
     * One outcome in one "transaction", fenced on the lease as the group commit's renewal is; {@code finishes}: the row
     * leaves the lane's unwritten set (a send or an expiry, not a hold).
     */
    private void write(Lane lane, String id, boolean finishes, Consumer<Row> change) {
        writer.execute(() -> {
            boolean lost;
            synchronized (this) {
                lost = lane.lease().epoch() != epoch;
                if (lost) {
                    writesRefused++;
                } else {
                    rows.stream().filter(r -> r.row.id().equals(id)).findFirst().ifPresent(change);
                }
            }
            if (lost) {
                lane.leaseLost();
            } else {
                lane.committed(finishes ? List.of(id) : List.of(), System.currentTimeMillis() + 60_000, false);
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> release(Lane lane, GroupCommit.ReleaseKind kind, long until) {
        return CompletableFuture.supplyAsync(() -> {
            boolean held;
            boolean idle;
            synchronized (this) {
                held = lane.lease().epoch() == epoch;
                idle = rows.stream().noneMatch(r -> r.status == DeliveryStatus.PENDING);
            }
            if (!held) {
                lane.leaseLost(); // as the group commit tells a lane whose fenced write found the lease another's
            }
            return held && (kind != GroupCommit.ReleaseKind.IF_IDLE || idle);
        }, writer);
    }

    @Override
    public CompletableFuture<Boolean> renew(Lane lane) {
        return CompletableFuture.supplyAsync(() -> {
            boolean held;
            synchronized (this) {
                held = lane.lease().epoch() == epoch;
            }
            if (!held) {
                lane.leaseLost(); // likewise: a renewal refused by the fence is a lost lease, not a quiet "no"
            }
            return held;
        }, writer);
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
