package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One event owed to one subscription: the outbox row. Written in the transaction of the change that
 * produced the event; {@code seq} orders a subscription's rows in capture order.
 * <p>
 * A row is PENDING until it ends DELIVERED, REJECTED (a 4xx the receiver meant), PARKED (retention over)
 * or CANCELLED (subscription deleted). A node owns a PENDING row while {@code leaseUntil} is in the future.
 */
@Entity
@Table(name = "KCI_WEBHOOK_DELIVERY")
@NamedQueries({
        // The head of each active subscription's queue that is due and not leased: a row waits while an
        // earlier PENDING row of its subscription exists (ordered delivery, "hold and retry").
        @NamedQuery(name = "KciDelivery.dueHeads",
                query = "SELECT d FROM DeliveryEntity d WHERE d.status = 'PENDING' AND d.nextAttemptAt <= :now"
                        + " AND (d.leaseUntil IS NULL OR d.leaseUntil < :now)"
                        + " AND NOT EXISTS (SELECT e.id FROM DeliveryEntity e WHERE e.subscriptionId = d.subscriptionId"
                        + "   AND e.status = 'PENDING' AND e.seq < d.seq)"
                        + " AND d.subscriptionId IN (SELECT s.id FROM SubscriptionEntity s WHERE s.status IN ('ACTIVE', 'SUSPENDED'))"
                        + " ORDER BY d.nextAttemptAt, d.seq"),
        // A page of a subscription's deliveries, newest first, after the cursor (the last row's seq and id:
        // seq alone may tie across nodes, and a tie must neither repeat nor skip a row).
        @NamedQuery(name = "KciDelivery.bySubscription",
                query = "SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId"
                        + " AND (d.seq < :beforeSeq OR (d.seq = :beforeSeq AND d.id < :beforeId)) ORDER BY d.seq DESC, d.id DESC"),
        @NamedQuery(name = "KciDelivery.bySubscriptionAndStatus",
                query = "SELECT d FROM DeliveryEntity d WHERE d.subscriptionId = :subscriptionId AND d.status = :status"
                        + " AND (d.seq < :beforeSeq OR (d.seq = :beforeSeq AND d.id < :beforeId)) ORDER BY d.seq DESC, d.id DESC"),
        @NamedQuery(name = "KciDelivery.cancelPending",
                query = "UPDATE DeliveryEntity d SET d.status = 'CANCELLED', d.finishedAt = :now, d.lastError = :reason"
                        + " WHERE d.subscriptionId = :subscriptionId AND d.status = 'PENDING'"),
        // Keeps the rows held behind a head that waits for its retry out of the claim query's due window,
        // so a long backlog behind a failing receiver is not scanned on every claim.
        @NamedQuery(name = "KciDelivery.holdBehind",
                query = "UPDATE DeliveryEntity d SET d.nextAttemptAt = :until WHERE d.subscriptionId = :subscriptionId"
                        + " AND d.status = 'PENDING' AND d.nextAttemptAt < :until AND d.id <> :headId"),
        @NamedQuery(name = "KciDelivery.cancelPendingOfApplication",
                query = "UPDATE DeliveryEntity d SET d.status = 'CANCELLED', d.finishedAt = :now, d.lastError = :reason"
                        + " WHERE d.status = 'PENDING' AND d.subscriptionId IN (SELECT s.id FROM SubscriptionEntity s"
                        + "   WHERE s.realmId = :realmId AND s.applicationId = :applicationId)"),
        @NamedQuery(name = "KciDelivery.removeRealm",
                query = "DELETE FROM DeliveryEntity d WHERE d.realmId = :realmId"),
        @NamedQuery(name = "KciDelivery.parkExpired",
                query = "UPDATE DeliveryEntity d SET d.status = 'PARKED', d.finishedAt = :now, d.lastError = 'retention ended'"
                        + " WHERE d.status = 'PENDING' AND d.createdAt < :createdBefore AND (d.leaseUntil IS NULL OR d.leaseUntil < :now)"),
        @NamedQuery(name = "KciDelivery.purgeFinished",
                query = "DELETE FROM DeliveryEntity d WHERE d.status IN :statuses AND d.finishedAt < :before"),
        @NamedQuery(name = "KciDelivery.countPending",
                query = "SELECT COUNT(d), MIN(d.createdAt) FROM DeliveryEntity d WHERE d.status = 'PENDING'"),
        // When the longest-waiting row that is due now became due: its next attempt time, or the end of an
        // expired lease (a node died holding it). Rows of paused or disabled subscriptions are not due.
        @NamedQuery(name = "KciDelivery.oldestDueSince",
                query = "SELECT MIN(CASE WHEN d.leaseUntil IS NOT NULL AND d.leaseUntil > d.nextAttemptAt"
                        + " THEN d.leaseUntil ELSE d.nextAttemptAt END) FROM DeliveryEntity d"
                        + " WHERE d.status = 'PENDING' AND d.nextAttemptAt <= :now"
                        + " AND (d.leaseUntil IS NULL OR d.leaseUntil < :now)"
                        + " AND d.subscriptionId IN (SELECT s.id FROM SubscriptionEntity s WHERE s.status IN ('ACTIVE', 'SUSPENDED'))"),
})
public class DeliveryEntity {

    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String REJECTED = "REJECTED";
    public static final String PARKED = "PARKED";
    public static final String CANCELLED = "CANCELLED";

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
    @Column(name = "SEQ", nullable = false)
    private long seq;
    @Column(name = "STATUS", length = 16, nullable = false)
    private String status;
    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;
    @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
    private long nextAttemptAt;
    @Column(name = "LEASE_OWNER", length = 64)
    private String leaseOwner;
    @Column(name = "LEASE_UNTIL")
    private Long leaseUntil;
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
    public long getSeq() { return seq; }
    public void setSeq(long seq) { this.seq = seq; }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public int getAttempts() { return attempts; }
    public void setAttempts(int attempts) { this.attempts = attempts; }
    public long getNextAttemptAt() { return nextAttemptAt; }
    public void setNextAttemptAt(long nextAttemptAt) { this.nextAttemptAt = nextAttemptAt; }
    public String getLeaseOwner() { return leaseOwner; }
    public void setLeaseOwner(String leaseOwner) { this.leaseOwner = leaseOwner; }
    public Long getLeaseUntil() { return leaseUntil; }
    public void setLeaseUntil(Long leaseUntil) { this.leaseUntil = leaseUntil; }
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
