package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

/**
 * One event owed to one subscription: the outbox row. Written in the transaction of the change that
 * produced the event; {@code seq} orders a subscription's rows in capture order.
 * <p>
 * Its states and their moves are {@link DeliveryStatus}'s; the status literals of the queries below are
 * its names (a unit test holds them to that). Rows are not leased: the node that leases their subscription serves them.
 */
// Only the changed columns are written: a change made through the API must not write back the lease, epoch
// or outcome columns it read before a lane or the claim loop changed them.
@DynamicUpdate
@Entity
@Table(name = "KCI_WEBHOOK_DELIVERY")
@NamedQueries({
        // The bottom of a subscription's PENDING range, in queue order: an index range scan whatever the
        // backlog, because finished rows leave the range. A lane reads from here every time (never "after the
        // last row it sent"), so a row that committed late with an earlier SEQ is still found.
        @NamedQuery(name = "KciDelivery.pendingOfSubscription",
                query = DeliveryEntity.PENDING_OF_SUBSCRIPTION + DeliveryEntity.QUEUE_ORDER),
        // The same, without the rows the lane has sent and whose outcomes are not written yet.
        @NamedQuery(name = "KciDelivery.pendingOfSubscriptionExcept",
                query = DeliveryEntity.PENDING_OF_SUBSCRIPTION + " AND d.id NOT IN :sent" + DeliveryEntity.QUEUE_ORDER),
        // Group commit: one statement for many deliveries with the same outcome, no payload rewritten.
        @NamedQuery(name = "KciDelivery.finishMany",
                query = "UPDATE DeliveryEntity d SET d.status = :status, d.attempts = d.attempts + 1, d.lastHttpStatus = :httpStatus,"
                        + " d.lastError = :error, d.finishedAt = :now WHERE d.id IN :ids AND d.status = 'PENDING'"),
        // A page of a subscription's deliveries, newest first, after the cursor (the last row's seq and id:
        // seq alone may tie across nodes, and a tie must neither repeat nor skip a row).
        @NamedQuery(name = "KciDelivery.bySubscription",
                query = "SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId AND d.seq BETWEEN :fromSeq AND :toSeq"
                        + " AND (d.seq < :beforeSeq OR (d.seq = :beforeSeq AND d.id < :beforeId)) ORDER BY d.seq DESC, d.id DESC"),
        @NamedQuery(name = "KciDelivery.bySubscriptionAndStatus",
                query = "SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId AND d.status = :status"
                        + " AND d.seq BETWEEN :fromSeq AND :toSeq"
                        + " AND (d.seq < :beforeSeq OR (d.seq = :beforeSeq AND d.id < :beforeId)) ORDER BY d.seq DESC, d.id DESC"),
        @NamedQuery(name = "KciDelivery.cancelPending",
                query = "UPDATE DeliveryEntity d SET d.status = 'CANCELLED', d.finishedAt = :now, d.lastError = :reason"
                        + " WHERE d.subscriptionId = :subscriptionId AND d.status = 'PENDING'"),
        @NamedQuery(name = "KciDelivery.cancelPendingOfApplication",
                query = "UPDATE DeliveryEntity d SET d.status = 'CANCELLED', d.finishedAt = :now, d.lastError = :reason"
                        + " WHERE d.status = 'PENDING' AND d.subscriptionId IN (SELECT s.id FROM SubscriptionEntity s"
                        + "   WHERE s.realmId = :realmId AND s.applicationId = :applicationId)"),
        @NamedQuery(name = "KciDelivery.removeRealm",
                query = "DELETE FROM DeliveryEntity d WHERE d.realmId = :realmId"),
        // What parkExpired is about to park, per subscription: counted first, in the same transaction.
        @NamedQuery(name = "KciDelivery.expiredBySubscription",
                query = "SELECT d.subscriptionId, COUNT(d) FROM DeliveryEntity d"
                        + " WHERE d.status = 'PENDING' AND d.createdAt < :createdBefore AND d.subscriptionId NOT IN"
                        + "   (SELECT s.id FROM SubscriptionEntity s WHERE s.leaseOwner IS NOT NULL AND s.leaseUntil >= :now)"
                        + " GROUP BY d.subscriptionId"),
        @NamedQuery(name = "KciDelivery.parkExpired",
                query = "UPDATE DeliveryEntity d SET d.status = 'PARKED', d.finishedAt = :now, d.lastError = 'retention ended'"
                        + " WHERE d.status = 'PENDING' AND d.createdAt < :createdBefore AND d.subscriptionId NOT IN"
                        + "   (SELECT s.id FROM SubscriptionEntity s WHERE s.leaseOwner IS NOT NULL AND s.leaseUntil >= :now)"),
        @NamedQuery(name = "KciDelivery.purgeFinished",
                query = "DELETE FROM DeliveryEntity d WHERE d.status IN :statuses AND d.finishedAt < :before"),
        @NamedQuery(name = "KciDelivery.countPending",
                query = "SELECT COUNT(d), MIN(d.createdAt) FROM DeliveryEntity d WHERE d.status = 'PENDING'"),
        // When the longest-waiting head that is due now became due: its next attempt time, the end of its
        // subscription's hold, or the end of an expired lease (a node died holding it). Leased subscriptions
        // are being served; paused or disabled ones are not due.
        @NamedQuery(name = "KciDelivery.oldestDueSince",
                query = "SELECT MIN(GREATEST(d.nextAttemptAt, COALESCE(s.blockedUntil, 0), COALESCE(s.leaseUntil, 0)))"
                        + " FROM DeliveryEntity d, SubscriptionEntity s WHERE d.subscriptionId = s.id AND d.status = 'PENDING'"
                        + " AND d.nextAttemptAt <= :now AND s.status IN ('ACTIVE', 'SUSPENDED')"
                        + " AND (s.blockedUntil IS NULL OR s.blockedUntil <= :now)"
                        + " AND (s.leaseOwner IS NULL OR s.leaseUntil < :now)"),
})
public class DeliveryEntity {

    /** A row's order key as queries compare it: rows from before keys share one. */
    static final String ORDER_KEY = "COALESCE(d.orderKey, '" + PendingDelivery.NO_ORDER_KEY + "')";
    /** Not a row that waits for a retry, nor one behind such a row of its key (on IDX_KCI_WH_DELIVERY_HELD). */
    static final String NOT_BEHIND_A_HELD_ROW = " AND NOT EXISTS (SELECT h.id FROM DeliveryEntity h WHERE h.subscriptionId = d.subscriptionId"
            + " AND h.status = 'PENDING' AND h.nextAttemptAt > :now AND COALESCE(h.orderKey, '" + PendingDelivery.NO_ORDER_KEY + "') = "
            + DeliveryEntity.ORDER_KEY + " AND (h.seq < d.seq OR (h.seq = d.seq AND h.id <= d.id)))";
    static final String PENDING_OF_SUBSCRIPTION = "SELECT new dev.kcintegrations.events.store.PendingDelivery(d.id, d.eventId," // JPQL names the class in full
            + " d.correlationId, " + DeliveryEntity.ORDER_KEY + ", d.payload, d.format, d.concurSignature, d.signedWith, d.attempts, d.createdAt,"
            + " d.nextAttemptAt) FROM DeliveryEntity d"
            + " WHERE d.subscriptionId = :subscriptionId AND d.status = 'PENDING'";
    // All four columns of IDX_KCI_WH_DELIVERY_SUB (the first two are fixed): H2 then reads the index in order and
    // stops at the limit, as PostgreSQL does with "ORDER BY seq, id" alone.
    static final String QUEUE_ORDER = " ORDER BY d.subscriptionId, d.status, d.seq, d.id";

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "SUBSCRIPTION_ID", length = 36, nullable = false)
    private String subscriptionId;
    @Column(name = "EVENT_ID", length = 36, nullable = false)
    private String eventId;
    @Column(name = "EVENT_TYPE", length = 255, nullable = false)
    private String eventType;
    @Column(name = "CORRELATION_ID", length = 128, nullable = false)
    private String correlationId;
    @Column(name = "PAYLOAD", nullable = false)
    private String payload;
    /** The format {@link #payload} is written in, sent as its Content-Type; null (rows from before formats) is {@code ess}. */
    @Column(name = "FORMAT", length = 16)
    private String format;
    /** The subject whose events keep their order (see OrderKey); null (rows from before) is {@link PendingDelivery#NO_ORDER_KEY}. */
    @Column(name = "ORDER_KEY", length = 255)
    private String orderKey;

    /** The body's Concur-Signature, made once at capture for every row of the event; null if it could not be. */
    @Column(name = "CONCUR_SIGNATURE", length = 2048)
    private String concurSignature;

    /** The kid of the key that made {@link #concurSignature}. */
    @Column(name = "SIGNED_WITH", length = 64)
    private String signedWith;
    @Column(name = "SEQ", nullable = false)
    private long seq;
    @Column(name = "STATUS", length = 16, nullable = false)
    private String status;
    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;
    @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
    private long nextAttemptAt;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "FINISHED_AT")
    private Long finishedAt;
    @Column(name = "LAST_HTTP_STATUS")
    private Integer lastHttpStatus;
    @Column(name = "LAST_ERROR", length = 255)
    private String lastError;
    @Column(name = "REQUEUES", nullable = false)
    private int requeues;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getSubscriptionId() { return subscriptionId; }
    public void setSubscriptionId(String subscriptionId) { this.subscriptionId = subscriptionId; }
    public String getEventId() { return eventId; }
    public void setEventId(String eventId) { this.eventId = eventId; }
    public String getEventType() { return eventType; }
    public void setEventType(String eventType) { this.eventType = eventType; }
    public String getCorrelationId() { return correlationId; }
    public void setCorrelationId(String correlationId) { this.correlationId = correlationId; }
    public String getPayload() { return payload; }
    public void setPayload(String payload) { this.payload = payload; }
    public String getFormat() { return format; }
    public void setFormat(String format) { this.format = format; }
    public String getOrderKey() { return orderKey; }
    public void setOrderKey(String orderKey) { this.orderKey = orderKey; }
    public String getConcurSignature() { return concurSignature; }
    public String getSignedWith() { return signedWith; }

    public void setConcurSignature(String signature, String kid) {
        this.concurSignature = signature;
        this.signedWith = kid;
    }
    public long getSeq() { return seq; }
    public void setSeq(long seq) { this.seq = seq; }
    public DeliveryStatus getStatus() { return DeliveryStatus.valueOf(status); }

    /** The one way a row changes state: along {@link DeliveryStatus#canBecome}. */
    public void moveTo(DeliveryStatus next) {
        if (status != null && !getStatus().canBecome(next)) {
            throw new IllegalStateException("A " + status + " delivery cannot become " + next);
        }
        status = next.name();
    }
    public int getAttempts() { return attempts; }
    public void setAttempts(int attempts) { this.attempts = attempts; }
    public long getNextAttemptAt() { return nextAttemptAt; }
    public void setNextAttemptAt(long nextAttemptAt) { this.nextAttemptAt = nextAttemptAt; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
    public Long getFinishedAt() { return finishedAt; }
    public void setFinishedAt(Long finishedAt) { this.finishedAt = finishedAt; }
    public Integer getLastHttpStatus() { return lastHttpStatus; }
    public void setLastHttpStatus(Integer lastHttpStatus) { this.lastHttpStatus = lastHttpStatus; }
    public String getLastError() { return lastError; }
    public void setLastError(String lastError) { this.lastError = lastError; }
    public int getRequeues() { return requeues; }
    public void setRequeues(int requeues) { this.requeues = requeues; }
}
