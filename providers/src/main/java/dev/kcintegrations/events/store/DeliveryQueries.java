package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the APIs and the metrics read of the outbox: a subscription's deliveries by page or capture window, its
 * backlog and held keys, its activity by time bucket, the attempts of deliveries, the queue as a whole. Reads only.
 */
public final class DeliveryQueries {

    private final KeycloakSession session;
    private final EntityManager em;

    DeliveryQueries(KeycloakSession session, EntityManager em) {
        this.session = session;
        this.em = em;
    }

    /**
     * A page of a subscription's deliveries captured in [{@code fromSeq}, {@code toSeq}] (capture order, see
     * {@link Sequence}), newest first, of one status when it is set, coming after the row ({@code beforeSeq},
     * {@code beforeId}): keyset paging, so rows captured meanwhile never shift a page.
     */
    public List<DeliveryEntity> deliveries(String subscriptionId, DeliveryStatus status, long fromSeq, long toSeq, long beforeSeq,
                                           String beforeId, int max) {
        TypedQuery<DeliveryEntity> query = status == null
                ? em.createNamedQuery("KciDelivery.bySubscription", DeliveryEntity.class)
                : em.createNamedQuery("KciDelivery.bySubscriptionAndStatus", DeliveryEntity.class).setParameter("status", status.name());
        return query.setParameter("subscriptionId", subscriptionId).setParameter("fromSeq", fromSeq).setParameter("toSeq", toSeq)
                .setParameter("beforeSeq", beforeSeq).setParameter("beforeId", beforeId).setMaxResults(max).getResultList();
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

    /** The capture order of a time: rows captured at or after {@code millis} have a sequence at least this. */
    public static long sequenceAt(long millis) {
        return Math.multiplyExact(millis, 1000L);
    }

    /** How many finished deliveries {@link Outcomes#requeueFinished} would queue again. */
    public long countRequeueable(String subscriptionId, DeliveryStatus only, long fromSeq, long toSeq) {
        List<String> statuses = Outcomes.requeueable(only);
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
}
