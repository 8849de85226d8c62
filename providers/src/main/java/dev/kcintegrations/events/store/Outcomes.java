package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.keycloak.connections.jpa.util.JpaUtils;

import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;

/**
 * What sends did to the outbox, written by the group commit many at a time: deliveries ended in one statement
 * per outcome, attempts in multi-row INSERTs (the newest {@link Outbox#ATTEMPTS_KEPT} kept), rows held for a
 * retry; and the rows people end or queue again (a cancelled subscription, a requeue or replay).
 */
public final class Outcomes {

    private final EntityManager em;

    Outcomes(EntityManager em) {
        this.em = em;
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

    /** Drops a delivery's attempts older than its newest {@link Outbox#ATTEMPTS_KEPT}. */
    public void keepNewestAttempts(String deliveryId) {
        List<Number> newest = em.createNamedQuery("KciAttempt.newestOfDelivery", Number.class)
                .setParameter("deliveryId", deliveryId)
                .setFirstResult(Outbox.ATTEMPTS_KEPT - 1).setMaxResults(1).getResultList();
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

    public int cancelPending(String subscriptionId, String reason, long now) {
        return em.createNamedQuery("KciDelivery.cancelPending")
                .setParameter("subscriptionId", subscriptionId).setParameter("reason", reason).setParameter("now", now)
                .executeUpdate();
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
    static List<String> requeueable(DeliveryStatus only) {
        return Arrays.stream(DeliveryStatus.values())
                .filter(DeliveryStatus::requeueable).filter(s -> only == null || s == only).map(DeliveryStatus::name).toList();
    }
}
