package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.DeliveryOrdering;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.hibernate.LockMode;
import org.hibernate.query.SelectionQuery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which node serves which subscription: claims with {@code FOR UPDATE SKIP LOCKED}, a lease and an epoch that
 * fences out whoever held it before, the lane's read of its queue under that lease, renewals (the group commit's
 * fence) and the ways a lane gives its subscription back. Within the caller's transaction.
 */
public final class Leases {

    private final EntityManager em;

    Leases(EntityManager em) {
        this.em = em;
    }

    /**
     * Leases subscriptions that have due work to {@code node}, the longest unserved first: up to its share of
     * all the work ({@code nodes} deliver; {@code mine} subscriptions are served here already), never more
     * than {@code limit}; {@code beyondShare}: up to {@code limit} (the others left work unclaimed).
     * {@code SKIP LOCKED} lets nodes claim side by side; the lease, committed with the claim, keeps a
     * subscription theirs after the lock is gone, and its new epoch fences out whoever held it before.
     *
     * @return the leases, and whether the share held this node back from claimable work
     */
    public Claim claimSubscriptions(int limit, String node, long now, long leaseMillis, int nodes, int mine, boolean beyondShare) {
        long claimable = em.createNamedQuery("KciSubscription.countClaimable", Long.class)
                .setParameter("now", now).getSingleResult();
        if (claimable == 0) {
            return new Claim(List.of(), false);
        }
        long leased = nodes <= 1 ? 0 : em.createNamedQuery("KciSubscription.countLeased", Long.class)
                .setParameter("now", now).getSingleResult();
        int take = (int) Math.min(limit, beyondShare ? claimable : share(claimable, leased, nodes, mine));
        boolean heldBack = take < Math.min(limit, claimable);
        if (take <= 0) {
            return new Claim(List.of(), heldBack);
        }
        TypedQuery<SubscriptionEntity> query = em.createNamedQuery("KciSubscription.claimable", SubscriptionEntity.class)
                .setParameter("now", now)
                .setMaxResults(take)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE);
        query.unwrap(SelectionQuery.class).setHibernateLockMode(LockMode.UPGRADE_SKIPLOCKED);
        List<SubscriptionLease> leases = new ArrayList<>();
        for (SubscriptionEntity subscription : query.getResultList()) {
            subscription.setLeaseOwner(node);
            subscription.setLeaseUntil(now + leaseMillis);
            subscription.setLeaseEpoch(subscription.getLeaseEpoch() + 1);
            leases.add(new SubscriptionLease(subscription.getId(), subscription.getRealmId(), subscription.getName(),
                    subscription.getApplicationId(), subscription.getTopic(), node, subscription.getLeaseEpoch(),
                    now + leaseMillis, subscription.getStatus() == SubscriptionStatus.SUSPENDED,
                    DeliveryOrdering.stored(subscription.getOrdering()), subscription.getMaxInFlight(), subscription.getSendWindow(),
                    subscription.getBatch(), subscription.getAuth()));
        }
        return new Claim(leases, heldBack);
    }

    /**
     * How many of {@code claimable} subscriptions a node takes: alone, all of them; otherwise an even part of
     * everything with work (claimable, or {@code leased} by any node), rounded up, less the {@code mine} it serves.
     */
    static long share(long claimable, long leased, int nodes, int mine) {
        if (nodes <= 1) {
            return claimable;
        }
        return Math.min(claimable, Math.max(0, (claimable + leased + nodes - 1) / nodes - mine));
    }

    /** What a claim leased, and whether its share left claimable work to the other nodes. */
    public record Claim(List<SubscriptionLease> leases, boolean heldBack) {
    }

    /** How many subscriptions wait for a lane (none when every one with work is leased or held). */
    public long claimable(long now) {
        return em.createNamedQuery("KciSubscription.countClaimable", Long.class).setParameter("now", now).getSingleResult();
    }

    /**
     * What a lane sends next: the subscription as it is now (a rotated secret, a new endpoint, a cancel, a new
     * ordering are seen at the next read) and the first {@code limit} PENDING rows of its queue, in queue order,
     * that are not in {@code sent} and whose order key is not in {@code skipKeys}; with {@code subject}
     * ordering, also the keys held by a row that waits for a retry (at most {@link #MAX_HELD_KEYS}) and until
     * when. Null when the lease is gone.
     */
    public QueueSlice slice(SubscriptionLease lease, int limit, Collection<String> sent, Collection<String> skipKeys,
                            long now) {
        SubscriptionEntity subscription = em.find(SubscriptionEntity.class, lease.subscriptionId());
        if (subscription == null || !lease.owner().equals(subscription.getLeaseOwner()) || subscription.getLeaseEpoch() != lease.epoch()) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        secrets.add(subscription.getSecret());
        if (subscription.getPreviousSecret() != null && subscription.getPreviousSecretUntil() != null
                && subscription.getPreviousSecretUntil() > now) {
            secrets.add(subscription.getPreviousSecret());
        }
        DeliveryOrdering ordering = DeliveryOrdering.stored(subscription.getOrdering());
        if (!subscription.getStatus().served()) {
            return new QueueSlice(subscription.getStatus(), ordering, subscription.getMaxInFlight(), subscription.getBatch(),
                    subscription.getEndpoint(), List.copyOf(secrets), subscription.getAuth(), List.of(), Map.of());
        }
        Map<String, Long> held = new HashMap<>();
        if (ordering == DeliveryOrdering.SUBJECT) {
            // On IDX_KCI_WH_DELIVERY_HELD: only the rows that wait, never the backlog behind them.
            em.createQuery("SELECT " + DeliveryEntity.ORDER_KEY + ", MIN(d.nextAttemptAt) FROM DeliveryEntity d"
                            + " WHERE d.subscriptionId = :subscriptionId AND d.status = 'PENDING' AND d.nextAttemptAt > :now"
                            + " GROUP BY " + DeliveryEntity.ORDER_KEY + " ORDER BY MIN(d.nextAttemptAt)", Object[].class)
                    .setParameter("subscriptionId", lease.subscriptionId()).setParameter("now", now)
                    .setMaxResults(MAX_HELD_KEYS).getResultList()
                    .forEach(row -> held.put((String) row[0], ((Number) row[1]).longValue()));
        }
        Set<String> skipped = new HashSet<>(skipKeys);
        skipped.addAll(held.keySet());
        // More held keys than one read lists (a receiver failing for every user): the rows of those not listed
        // would fill the read and wait there while free keys further back wait too. Then each row is checked in
        // SQL against the held rows of its key instead; a probe per row, paid only in that case.
        boolean overflow = held.size() >= MAX_HELD_KEYS;
        TypedQuery<PendingDelivery> rows = em.createQuery(DeliveryEntity.PENDING_OF_SUBSCRIPTION
                + (sent.isEmpty() ? "" : " AND d.id NOT IN :sent")
                + (skipped.isEmpty() ? "" : " AND " + DeliveryEntity.ORDER_KEY + " NOT IN :skipped")
                + (overflow ? DeliveryEntity.NOT_BEHIND_A_HELD_ROW : "")
                + DeliveryEntity.QUEUE_ORDER, PendingDelivery.class);
        if (overflow) {
            rows.setParameter("now", now);
        }
        if (!sent.isEmpty()) {
            rows.setParameter("sent", sent);
        }
        if (!skipped.isEmpty()) {
            rows.setParameter("skipped", skipped);
        }
        return new QueueSlice(subscription.getStatus(), ordering, subscription.getMaxInFlight(), subscription.getBatch(),
                subscription.getEndpoint(), List.copyOf(secrets), subscription.getAuth(), rows.setParameter("subscriptionId",
                        lease.subscriptionId()).setMaxResults(limit).getResultList(),
                Map.copyOf(held));
    }

    /**
     * Held keys one read learns of at most: beyond them, a held row read with the rest still holds its key (the
     * lane sees its {@code nextAttemptAt}), only the read is less useful.
     */
    public static final int MAX_HELD_KEYS = 256;

    /**
     * A subscription's queue as one read saw it.
     *
     * @param auth     the bearer token its POSTs carry, null: none
     * @param heldKeys keys whose first row waits for a retry, and until when
     */
    public record QueueSlice(SubscriptionStatus status, DeliveryOrdering ordering, Integer maxInFlight, Batching batching, String endpoint,
                             List<String> secrets, BearerAuth auth, List<PendingDelivery> rows, Map<String, Long> heldKeys) {
    }

    /**
     * The fence of a group commit: renews the lease until {@code until} if {@code lease} still holds it and the
     * subscription may still be delivered; false, and nothing written, otherwise.
     *
     * @param failures  failed attempts to add to the streak, or (when {@code delivered}) the streak itself:
     *                  the failures after the last delivery
     * @param delivered whether a delivery succeeded: the streak restarts and the queue is no longer held
     * @param lastAt    when the batch's last attempt was made, -1 if it made none
     * @param lastStatus what the receiver answered it, 0 for no answer
     * @param window     the lane's send window now, shown to administrators
     */
    public boolean renew(SubscriptionLease lease, long until, int failures, boolean delivered, long lastAt, int lastStatus, int window) {
        return em.createNamedQuery(delivered ? "KciSubscription.renewDelivered" : "KciSubscription.renewAdding")
                .setParameter("until", until).setParameter("failures", failures).setParameter("id", lease.subscriptionId())
                .setParameter("window", window)
                .setParameter("lastAt", lastAt).setParameter("lastStatus", lastStatus)
                .setParameter("node", lease.owner()).setParameter("epoch", lease.epoch()).executeUpdate() == 1;
    }

    /**
     * Sets {@code until} on the leases of {@code subscriptionIds} that {@code node} still holds, once the transaction
     * that renewed them (and so locked their rows) has done its work.
     */
    public void extend(Collection<String> subscriptionIds, String node, long until) {
        if (!subscriptionIds.isEmpty()) {
            em.createNamedQuery("KciSubscription.extend").setParameter("until", until).setParameter("ids", subscriptionIds)
                    .setParameter("node", node).executeUpdate();
        }
    }

    /**
     * Gives the subscription back; {@code ifIdle}: only when no PENDING row is left and no other node has
     * captured for it since {@code quietSince}. False when it was not released.
     */
    public boolean release(SubscriptionLease lease, boolean ifIdle, long now, long quietSince) {
        var release = em.createNamedQuery(ifIdle ? "KciSubscription.releaseIfIdle" : "KciSubscription.release")
                .setParameter("now", now).setParameter("id", lease.subscriptionId())
                .setParameter("node", lease.owner()).setParameter("epoch", lease.epoch());
        if (ifIdle) {
            release.setParameter("quietSince", quietSince);
        }
        return release.executeUpdate() == 1;
    }

    /**
     * Of {@code woken} (subscriptions this node captured for and does not serve), those another node serves:
     * they are marked as touched now, which keeps that node's lane from giving them back until it has read
     * what was captured here.
     */
    public List<String> touchServedElsewhere(Collection<String> woken, String node, long now) {
        if (woken.isEmpty()) {
            return List.of();
        }
        // Locked: a lane that gives its subscription back meanwhile either does so before this reads (and the
        // subscription is claimable here) or waits for this commit (and then sees the touch).
        List<String> elsewhere = em.createNamedQuery("KciSubscription.servedElsewhere", SubscriptionEntity.class)
                .setParameter("ids", woken).setParameter("node", node).setParameter("now", now)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList().stream().map(SubscriptionEntity::getId).toList();
        if (!elsewhere.isEmpty()) {
            em.createNamedQuery("KciSubscription.touch").setParameter("ids", elsewhere).setParameter("now", now).executeUpdate();
        }
        return elsewhere;
    }

    /**
     * Gives a {@code subject}-ordered subscription back when every row left waits behind a held key: it is not
     * claimed again before {@code until} (the earliest held row's retry) unless a capture lifts the block
     * ({@link #unblockKeys}). Kept like {@link #release} with {@code ifIdle} when another node captured for it
     * since {@code quietSince}: its lane reads that first.
     */
    public boolean releaseHeld(SubscriptionLease lease, long until, long now, long quietSince) {
        return em.createNamedQuery("KciSubscription.releaseHeld").setParameter("now", now).setParameter("until", until)
                .setParameter("id", lease.subscriptionId()).setParameter("node", lease.owner()).setParameter("epoch", lease.epoch())
                .setParameter("quietSince", quietSince).executeUpdate() == 1;
    }

    /**
     * Captures committed for these subscriptions: those blocked only because their rows waited behind held keys
     * become claimable, since a new row may be of a free key. A receiver's pause or a held head stays.
     */
    public int unblockKeys(Collection<String> subscriptionIds) {
        if (subscriptionIds.isEmpty()) {
            return 0;
        }
        return em.createNamedQuery("KciSubscription.unblockKeys").setParameter("ids", subscriptionIds).executeUpdate();
    }

    /**
     * Gives the subscription back, not to be claimed before {@code until} whatever is captured: the receiver
     * asked for a pause ({@code RECEIVER}), or the head of a totally ordered queue waits for its retry ({@code HEAD}).
     */
    public boolean releaseBlocked(SubscriptionLease lease, long until, long now, BlockedBy by) {
        if (by == BlockedBy.KEYS) {
            throw new IllegalArgumentException("a block by held keys is released with releaseHeld");
        }
        return em.createNamedQuery("KciSubscription.releaseBlocked").setParameter("now", now).setParameter("until", until)
                .setParameter("by", by == BlockedBy.HEAD ? null : by.name())
                .setParameter("id", lease.subscriptionId()).setParameter("node", lease.owner()).setParameter("epoch", lease.epoch())
                .executeUpdate() == 1;
    }
}
