package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.hibernate.LockMode;
import org.hibernate.Session;
import org.hibernate.query.SelectionQuery;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.util.JpaUtils;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The outbox of webhook deliveries in Keycloak's database, used within the caller's transaction:
 * capture adds rows to the transaction of the change that produced the event; a node leases a subscription
 * with due work in one short transaction, its lane reads the queue by index range, and the outcomes of many
 * sends are written together in another, never holding a row lock or a database connection while a
 * receiver answers.
 */
public final class Outbox {

    private final KeycloakSession session;
    private final EntityManager em;

    /** Attempts kept per delivery, the newest. */
    public static final int ATTEMPTS_KEPT = 20;

    public Outbox(KeycloakSession session) {
        this.session = session;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** @param signature the body's Concur-Signature and the kid of its key, both null if it could not be made */
    public String enqueue(SubscriptionEntity subscription, String eventId, String eventType, String correlationId, String orderKey,
                          BodyFormat format, String payload, String signature, String kid, long now) {
        DeliveryEntity row = new DeliveryEntity();
        row.setId(UUID.randomUUID().toString());
        row.setRealmId(subscription.getRealmId());
        row.setSubscriptionId(subscription.getId());
        row.setEventId(eventId);
        row.setEventType(eventType);
        row.setCorrelationId(correlationId);
        row.setOrderKey(orderKey);
        row.setPayload(payload);
        row.setFormat(format.id());
        row.setConcurSignature(signature, kid);
        row.setSeq(Sequence.next());
        row.moveTo(DeliveryStatus.PENDING);
        row.setNextAttemptAt(now); // a held queue is held by its subscription's BLOCKED_UNTIL, not row by row
        row.setCreatedAt(now);
        em.persist(row);
        return row.getId();
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
                    subscription.getBatch()));
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
                    subscription.getEndpoint(), List.copyOf(secrets), List.of(), Map.of());
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
                subscription.getEndpoint(), List.copyOf(secrets), rows.setParameter("subscriptionId",
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
     * @param heldKeys keys whose first row waits for a retry, and until when
     */
    public record QueueSlice(SubscriptionStatus status, DeliveryOrdering ordering, Integer maxInFlight, Batching batching, String endpoint,
                             List<String> secrets, List<PendingDelivery> rows, Map<String, Long> heldKeys) {
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

    /** Ends PENDING deliveries that share an outcome, in one statement. */
    public int finish(List<String> ids, DeliveryStatus status, Integer httpStatus, String error, long now) {
        if (!DeliveryStatus.PENDING.canBecome(status)) {
            throw new IllegalArgumentException("A pending delivery cannot become " + status);
        }
        return em.createNamedQuery("KciDelivery.finishMany").setParameter("status", status.name()).setParameter("httpStatus", httpStatus)
                .setParameter("error", error).setParameter("now", now).setParameter("ids", ids).executeUpdate();
    }

    /**
     * Writes attempts as multi-row INSERTs: Keycloak sets no JDBC batch size, so persisting them one by one
     * would cost a statement (and a round trip) each.
     */
    public void insertAttempts(List<AttemptEntity> attempts) {
        if (attempts.isEmpty()) {
            return;
        }
        String table = JpaUtils.getTableNameForNativeQuery("KCI_WEBHOOK_ATTEMPT", em);
        em.flush();
        em.unwrap(Session.class).doWork(connection -> {
            for (int from = 0; from < attempts.size(); from += ATTEMPT_INSERT_ROWS) {
                List<AttemptEntity> chunk = attempts.subList(from, Math.min(attempts.size(), from + ATTEMPT_INSERT_ROWS));
                StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(
                        " (ID, DELIVERY_ID, ATTEMPTED_AT, HTTP_STATUS, LATENCY_MS, OUTCOME, RESPONSE_EXCERPT, ERROR, NODE) VALUES ");
                for (int i = 0; i < chunk.size(); i++) {
                    sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?)");
                }
                try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
                    int p = 1;
                    for (AttemptEntity attempt : chunk) {
                        insert.setString(p++, attempt.getId());
                        insert.setString(p++, attempt.getDeliveryId());
                        insert.setLong(p++, attempt.getAttemptedAt());
                        if (attempt.getHttpStatus() == null) {
                            insert.setNull(p++, Types.INTEGER);
                        } else {
                            insert.setInt(p++, attempt.getHttpStatus());
                        }
                        insert.setLong(p++, attempt.getLatencyMillis());
                        insert.setString(p++, attempt.getOutcome());
                        insert.setString(p++, attempt.getResponseExcerpt());
                        insert.setString(p++, attempt.getError());
                        insert.setString(p++, attempt.getNode());
                    }
                    insert.executeUpdate();
                }
            }
        });
    }

    /** Rows of one multi-row attempt INSERT: a statement shape per chunk size, few of them. */
    static final int ATTEMPT_INSERT_ROWS = 64;

    public DeliveryEntity find(String deliveryId) {
        return em.find(DeliveryEntity.class, deliveryId);
    }

    /** The row, locked until the transaction ends (null if there is none). */
    public DeliveryEntity findLocked(String deliveryId) {
        return em.find(DeliveryEntity.class, deliveryId, LockModeType.PESSIMISTIC_WRITE);
    }

    public SubscriptionEntity subscription(String subscriptionId) {
        return em.find(SubscriptionEntity.class, subscriptionId);
    }

    /**
     * Logs an attempt, keeping the delivery's newest {@link #ATTEMPTS_KEPT}: a receiver that fails for as long
     * as retention and requeues allow cannot grow the log (or a listing) without bound.
     */
    public void addAttempt(AttemptEntity attempt, int attemptsSoFar) {
        em.persist(attempt);
        if (attemptsSoFar >= ATTEMPTS_KEPT) {
            em.flush();
            keepNewestAttempts(attempt.getDeliveryId());
        }
    }

    /** Drops a delivery's attempts older than its newest {@link #ATTEMPTS_KEPT}. */
    public void keepNewestAttempts(String deliveryId) {
        List<Number> newest = em.createNamedQuery("KciAttempt.newestOfDelivery", Number.class)
                .setParameter("deliveryId", deliveryId)
                .setFirstResult(ATTEMPTS_KEPT - 1).setMaxResults(1).getResultList();
        if (!newest.isEmpty()) {
            em.createNamedQuery("KciAttempt.dropOlder").setParameter("deliveryId", deliveryId)
                    .setParameter("before", newest.get(0).longValue()).executeUpdate();
        }
    }

    /**
     * A row waits until {@code until}, and the rows of its order key behind it. {@code wholeQueue} (the
     * {@code subscription} ordering, or the application may not receive now): the whole queue waits with it.
     */
    public void hold(SubscriptionEntity subscription, DeliveryEntity row, long until, boolean wholeQueue) {
        row.setNextAttemptAt(until);
        if (wholeQueue) {
            subscription.setBlockedUntil(until);
            subscription.setBlockedBy(BlockedBy.HEAD);
        }
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

    public int cancelPending(String subscriptionId, String reason, long now) {
        return em.createNamedQuery("KciDelivery.cancelPending")
                .setParameter("subscriptionId", subscriptionId).setParameter("reason", reason).setParameter("now", now)
                .executeUpdate();
    }

    /** A page of a subscription's deliveries, newest first, coming after the row ({@code beforeSeq}, {@code beforeId}). */
    public List<DeliveryEntity> deliveries(String subscriptionId, DeliveryStatus status, long beforeSeq, String beforeId, int max) {
        TypedQuery<DeliveryEntity> query = status == null
                ? em.createNamedQuery("KciDelivery.bySubscription", DeliveryEntity.class)
                : em.createNamedQuery("KciDelivery.bySubscriptionAndStatus", DeliveryEntity.class).setParameter("status", status.name());
        return query.setParameter("subscriptionId", subscriptionId).setParameter("beforeSeq", beforeSeq)
                .setParameter("beforeId", beforeId).setMaxResults(max).getResultList();
    }

    /** How many rows of each subscription wait, and since when the oldest does (subscriptions with none are absent). */
    public Map<String, Backlog> backlogs(List<String> subscriptionIds) {
        if (subscriptionIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Backlog> backlogs = new HashMap<>();
        em.createQuery("SELECT d.subscriptionId, COUNT(d), MIN(d.createdAt) FROM DeliveryEntity d"
                        + " WHERE d.subscriptionId IN :ids AND d.status = 'PENDING' GROUP BY d.subscriptionId", Object[].class)
                .setParameter("ids", subscriptionIds).getResultList()
                .forEach(row -> backlogs.put((String) row[0], new Backlog(((Number) row[1]).longValue(), ((Number) row[2]).longValue(), 0)));
        long now = System.currentTimeMillis();
        em.createQuery("SELECT d.subscriptionId, COUNT(DISTINCT " + DeliveryEntity.ORDER_KEY + ") FROM DeliveryEntity d"
                        + " WHERE d.subscriptionId IN :ids AND d.status = 'PENDING' AND d.nextAttemptAt > :now GROUP BY d.subscriptionId", Object[].class)
                .setParameter("ids", subscriptionIds).setParameter("now", now).getResultList()
                .forEach(row -> backlogs.computeIfPresent((String) row[0], (id, backlog) ->
                        new Backlog(backlog.pending(), backlog.oldestCreatedAt(), ((Number) row[1]).longValue())));
        return backlogs;
    }

    /** @param heldKeys order keys whose first row waits for a retry (each holds the rows of its key behind it) */
    public record Backlog(long pending, long oldestCreatedAt, long heldKeys) {
    }

    /** The rows that hold their keys now (each waits for a retry), the soonest due first. */
    public List<DeliveryEntity> heldRows(String subscriptionId, long now, int max) {
        return em.createQuery("SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId AND d.status = 'PENDING'"
                        + " AND d.nextAttemptAt > :now ORDER BY d.nextAttemptAt, d.seq", DeliveryEntity.class)
                .setParameter("subscriptionId", subscriptionId).setParameter("now", now).setMaxResults(max).getResultList();
    }

    /**
     * A subscription's rows captured in [{@code fromMillis}, {@code toMillis}), counted per status in buckets of
     * capture time {@code bucketMillis} wide, aligned to the epoch, with the mean time from being queued (captured,
     * or queued again by a redelivery) to finished of those finished. Bucketed by the sequence, which keeps the
     * capture time when a row is queued again. Every status is named so that PostgreSQL reads one range of
     * (subscription, status, sequence) per status instead of all of the subscription's rows.
     */
    public List<ActivityCount> activity(String subscriptionId, long fromMillis, long toMillis, long bucketMillis) {
        // The bucket width is inlined as a number computed here: PostgreSQL matches a GROUP BY expression only
        // to an identical SELECT expression, and two bind parameters never are.
        String bucket = "(d.seq / " + sequenceAt(Math.max(1, bucketMillis)) + "L)";
        return em.createQuery("SELECT " + bucket + ", d.status, COUNT(d), AVG(d.finishedAt - d.createdAt) FROM DeliveryEntity d"
                        + " WHERE d.subscriptionId = :subscriptionId AND d.status IN :statuses AND d.seq >= :fromSeq AND d.seq < :toSeq"
                        + " GROUP BY " + bucket + ", d.status", Object[].class)
                .setParameter("subscriptionId", subscriptionId)
                .setParameter("statuses", Arrays.stream(DeliveryStatus.values()).map(DeliveryStatus::name).toList())
                .setParameter("fromSeq", sequenceAt(fromMillis)).setParameter("toSeq", sequenceAt(toMillis))
                .getResultList().stream()
                .map(row -> new ActivityCount(((Number) row[0]).longValue() * bucketMillis, DeliveryStatus.valueOf(row[1].toString()),
                        ((Number) row[2]).longValue(), row[3] == null ? null : ((Number) row[3]).longValue()))
                .toList();
    }

    /** Rows of one status captured in the bucket starting at {@code bucketStart}; {@code meanFinishMillis} null while none finished. */
    public record ActivityCount(long bucketStart, DeliveryStatus status, long count, Long meanFinishMillis) {
    }

    /**
     * A page of a subscription's deliveries captured in [{@code fromSeq}, {@code toSeq}] (capture order, see
     * {@link Sequence}), newest first, of one status when it is set.
     */
    public List<DeliveryEntity> deliveriesCaptured(String subscriptionId, DeliveryStatus status, long fromSeq, long toSeq, int first, int max) {
        var query = em.createQuery("SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId"
                        + (status == null ? "" : " AND d.status = :status")
                        + " AND d.seq BETWEEN :fromSeq AND :toSeq ORDER BY d.seq DESC, d.id DESC", DeliveryEntity.class)
                .setParameter("subscriptionId", subscriptionId).setParameter("fromSeq", fromSeq).setParameter("toSeq", toSeq);
        if (status != null) {
            query.setParameter("status", status.name());
        }
        return query.setFirstResult(first).setMaxResults(max).getResultList();
    }

    /** The capture order of a time: rows captured at or after {@code millis} have a sequence at least this. */
    public static long sequenceAt(long millis) {
        return Math.multiplyExact(millis, 1000L);
    }

    /**
     * Queues again, in one statement, every finished delivery of the subscription that may be queued again
     * ({@link DeliveryStatus#requeueable()}) and is of {@code only} (any such status when null), captured in
     * [{@code fromSeq}, {@code toSeq}]: each keeps its sequence number (its place in the queue) and its id, and
     * starts a new retention. Returns how many.
     */
    public int requeueFinished(String subscriptionId, DeliveryStatus only, long fromSeq, long toSeq, long now) {
        List<String> statuses = requeueable(only);
        if (statuses.isEmpty()) {
            return 0;
        }
        return em.createQuery("UPDATE DeliveryEntity d SET d.status = 'PENDING', d.requeues = d.requeues + 1, d.nextAttemptAt = :now,"
                        + " d.createdAt = :now, d.finishedAt = NULL WHERE d.subscriptionId = :subscriptionId AND d.status IN :statuses"
                        + " AND d.seq BETWEEN :fromSeq AND :toSeq")
                .setParameter("now", now).setParameter("subscriptionId", subscriptionId).setParameter("statuses", statuses)
                .setParameter("fromSeq", fromSeq).setParameter("toSeq", toSeq).executeUpdate();
    }

    /** The statuses a delivery may be queued again from ({@link DeliveryStatus#requeueable()}), all or just {@code only}. */
    private static List<String> requeueable(DeliveryStatus only) {
        return Arrays.stream(DeliveryStatus.values())
                .filter(DeliveryStatus::requeueable).filter(s -> only == null || s == only).map(DeliveryStatus::name).toList();
    }

    /** How many finished deliveries {@link #requeueFinished} would queue again. */
    public long countRequeueable(String subscriptionId, DeliveryStatus only, long fromSeq, long toSeq) {
        List<String> statuses = requeueable(only);
        return em.createQuery("SELECT COUNT(d) FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId AND d.status IN :statuses"
                        + " AND d.seq BETWEEN :fromSeq AND :toSeq", Long.class)
                .setParameter("subscriptionId", subscriptionId).setParameter("statuses", statuses)
                .setParameter("fromSeq", fromSeq).setParameter("toSeq", toSeq).getSingleResult();
    }

    public List<AttemptEntity> attempts(List<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return List.of();
        }
        return em.createNamedQuery("KciAttempt.byDeliveries", AttemptEntity.class)
                .setParameter("deliveryIds", deliveryIds).getResultList();
    }

    /** The queue as metrics and the readiness check see it; streaks of at most {@code maxStreaks} subscriptions. */
    public OutboxStatus status(long now, int maxStreaks) {
        Object[] pending = em.createNamedQuery("KciDelivery.countPending", Object[].class).getSingleResult();
        Number oldestDueSince = em.createNamedQuery("KciDelivery.oldestDueSince", Number.class)
                .setParameter("now", now).getSingleResult();
        List<OutboxStatus.FailureStreak> streaks = new ArrayList<>();
        for (Object[] row : em.createNamedQuery("KciSubscription.failureStreaks", Object[].class)
                .setMaxResults(maxStreaks).getResultList()) {
            RealmModel realm = session.realms().getRealm((String) row[0]);
            if (realm != null) {
                streaks.add(new OutboxStatus.FailureStreak(realm.getName(), (String) row[1], ((Number) row[2]).intValue()));
            }
        }
        return new OutboxStatus(((Number) pending[0]).longValue(),
                pending[1] == null ? null : ((Number) pending[1]).longValue(),
                oldestDueSince == null ? null : oldestDueSince.longValue(), streaks, now);
    }

    public int parkExpired(long createdBefore, long now) {
        return em.createNamedQuery("KciDelivery.parkExpired")
                .setParameter("createdBefore", createdBefore).setParameter("now", now).executeUpdate();
    }

    public int purgeFinished(List<DeliveryStatus> statuses, long finishedBefore) {
        int purged = em.createNamedQuery("KciDelivery.purgeFinished")
                .setParameter("statuses", statuses.stream().map(DeliveryStatus::name).toList()).setParameter("before", finishedBefore).executeUpdate();
        em.createNamedQuery("KciAttempt.purgeOrphans").executeUpdate();
        return purged;
    }

    public int purgeDeletedSubscriptions(long deletedBefore) {
        List<SubscriptionEntity> gone = em.createNamedQuery("KciSubscription.deletedWithoutDeliveries", SubscriptionEntity.class)
                .setParameter("before", deletedBefore).getResultList();
        gone.forEach(em::remove);
        return gone.size();
    }
}
