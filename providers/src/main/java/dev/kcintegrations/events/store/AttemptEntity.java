package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** One HTTP attempt of a delivery: when, what came back, how long it took, the first KiB of the answer. */
@Entity
@Table(name = "KCI_WEBHOOK_ATTEMPT")
@NamedQueries({
        @NamedQuery(name = "KciAttempt.byDeliveries",
                query = "SELECT a FROM AttemptEntity a WHERE a.deliveryId IN :deliveryIds ORDER BY a.attemptedAt"),
        @NamedQuery(name = "KciAttempt.newestOfDelivery",
                query = "SELECT a.attemptedAt FROM AttemptEntity a WHERE a.deliveryId = :deliveryId ORDER BY a.attemptedAt DESC"),
        @NamedQuery(name = "KciAttempt.dropOlder",
                query = "DELETE FROM AttemptEntity a WHERE a.deliveryId = :deliveryId AND a.attemptedAt < :before"),
        // Correlated, so each attempt costs one primary-key probe: H2 runs "deliveryId IN (SELECT …)" again for
        // every attempt row, which made deleting a realm with 5,000 deliveries take minutes.
        @NamedQuery(name = "KciAttempt.removeRealm",
                query = "DELETE FROM AttemptEntity a WHERE EXISTS (SELECT d.id FROM DeliveryEntity d WHERE d.id = a.deliveryId"
                        + " AND d.realmId = :realmId)"),
        @NamedQuery(name = "KciAttempt.purgeOrphans",
                query = "DELETE FROM AttemptEntity a WHERE NOT EXISTS (SELECT d.id FROM DeliveryEntity d WHERE d.id = a.deliveryId)"),
})
public class AttemptEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "DELIVERY_ID", length = 36, nullable = false)
    private String deliveryId;
    @Column(name = "ATTEMPTED_AT", nullable = false)
    private long attemptedAt;
    @Column(name = "HTTP_STATUS")
    private Integer httpStatus;
    @Column(name = "LATENCY_MS", nullable = false)
    private long latencyMillis;
    @Column(name = "OUTCOME", length = 16, nullable = false)
    private String outcome;
    @Column(name = "RESPONSE_EXCERPT", length = 1024)
    private String responseExcerpt;
    @Column(name = "ERROR", length = 255)
    private String error;
    @Column(name = "NODE", length = 64)
    private String node;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getDeliveryId() { return deliveryId; }
    public void setDeliveryId(String deliveryId) { this.deliveryId = deliveryId; }
    public long getAttemptedAt() { return attemptedAt; }
    public void setAttemptedAt(long attemptedAt) { this.attemptedAt = attemptedAt; }
    public Integer getHttpStatus() { return httpStatus; }
    public void setHttpStatus(Integer httpStatus) { this.httpStatus = httpStatus; }
    public long getLatencyMillis() { return latencyMillis; }
    public void setLatencyMillis(long latencyMillis) { this.latencyMillis = latencyMillis; }
    public String getOutcome() { return outcome; }
    public void setOutcome(String outcome) { this.outcome = outcome; }
    public String getResponseExcerpt() { return responseExcerpt; }
    public void setResponseExcerpt(String responseExcerpt) { this.responseExcerpt = responseExcerpt; }
    public String getError() { return error; }
    public void setError(String error) { this.error = error; }
    public String getNode() { return node; }
    public void setNode(String node) { this.node = node; }
}
