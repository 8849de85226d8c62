package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

/**
 * One webhook subscription. {@code name} is the API's {@code id} (unique per realm); {@code id} is a
 * surrogate key so a name can be reused after its old row is purged without mixing up deliveries.
 * Secrets are stored like Keycloak stores client secrets: in the realm's database, readable by the owner.
 */
// Only the changed columns are written: a change made through the API must not write back the lease, epoch
// or outcome columns it read before a lane or the claim loop changed them.
@DynamicUpdate
@Entity
@Table(name = "KCI_WEBHOOK_SUBSCRIPTION")
@NamedQueries({
        @NamedQuery(name = "KciSubscription.byName",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.name = :name"),
        @NamedQuery(name = "KciSubscription.byApplication",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.applicationId = :applicationId"
                        + " AND s.status <> 'DELETED' ORDER BY s.name"),
        @NamedQuery(name = "KciSubscription.countByApplication",
                query = "SELECT COUNT(s) FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.applicationId = :applicationId"
                        + " AND s.status <> 'DELETED'"),
        @NamedQuery(name = "KciSubscription.activeForTopics",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.topic IN :topics"
                        + " AND s.status IN ('ACTIVE', 'SUSPENDED')"),
        @NamedQuery(name = "KciSubscription.failureStreaks",
                query = "SELECT s.realmId, s.name, s.failureStreak FROM SubscriptionEntity s WHERE s.status <> 'DELETED'"
                        + " ORDER BY s.failureStreak DESC, s.realmId, s.name"),
        // Every transaction that locks several subscriptions locks them in id order (see Subscriptions#lockInOrder).
        @NamedQuery(name = "KciSubscription.lockOfApplication",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.applicationId = :applicationId"
                        + " AND s.status <> 'DELETED' ORDER BY s.id"),
        @NamedQuery(name = "KciSubscription.lockOfRealm",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId ORDER BY s.id"),
        @NamedQuery(name = "KciSubscription.deleteOfApplication",
                query = "UPDATE SubscriptionEntity s SET s.status = 'DELETED', s.statusReason = :reason, s.updatedAt = :now"
                        + " WHERE s.realmId = :realmId AND s.applicationId = :applicationId AND s.status <> 'DELETED'"),
        // Subscriptions with work and no live lease, the longest unserved first. The EXISTS is one probe of
        // the (SUBSCRIPTION_ID, STATUS, SEQ, ID) index; a retried head's wait is the subscription's BLOCKED_UNTIL.
        @NamedQuery(name = "KciSubscription.claimable",
                query = "SELECT s FROM SubscriptionEntity s WHERE " + SubscriptionEntity.CLAIMABLE + " ORDER BY COALESCE(s.leaseUntil, 0), s.id"),
        @NamedQuery(name = "KciSubscription.countClaimable",
                query = "SELECT COUNT(s) FROM SubscriptionEntity s WHERE " + SubscriptionEntity.CLAIMABLE),
        @NamedQuery(name = "KciSubscription.countLeased",
                query = "SELECT COUNT(s) FROM SubscriptionEntity s WHERE s.leaseOwner IS NOT NULL AND s.leaseUntil >= :now"),
        // The fence of a group commit: it renews the lease only if the lane still holds it (owner and epoch)
        // and the subscription may still be delivered. Zero rows updated: the lane's outcomes are dropped.
        @NamedQuery(name = "KciSubscription.renewAdding",
                query = "UPDATE SubscriptionEntity s SET s.leaseUntil = :until, s.failureStreak = s.failureStreak + :failures,"
                        + " s.brokenSince = COALESCE(s.brokenSince, CASE WHEN :failures > 0 THEN :lastAt ELSE NULL END),"
                        + " s.sendWindow = :window," + SubscriptionEntity.LAST_ATTEMPT + SubscriptionEntity.RENEW_FENCE),
        @NamedQuery(name = "KciSubscription.renewDelivered",
                query = "UPDATE SubscriptionEntity s SET s.leaseUntil = :until, s.failureStreak = :failures, s.blockedUntil = NULL,"
                        + " s.brokenSince = CASE WHEN :failures > 0 THEN :lastAt ELSE NULL END,"
                        + " s.blockedBy = NULL, s.sendWindow = :window," + SubscriptionEntity.LAST_ATTEMPT + SubscriptionEntity.RENEW_FENCE),
        // A fenced renewal's lease, counted again at the end of its write: the rows are this transaction's (locked by
        // the renewal), and a lease given back in the same write has no owner any more.
        @NamedQuery(name = "KciSubscription.extend",
                query = "UPDATE SubscriptionEntity s SET s.leaseUntil = :until WHERE s.id IN :ids AND s.leaseOwner = :node"),
        @NamedQuery(name = "KciSubscription.release",
                query = "UPDATE SubscriptionEntity s SET s.leaseOwner = NULL, s.leaseUntil = :now"
                        + " WHERE s.id = :id AND s.leaseOwner = :node AND s.leaseEpoch = :epoch"),
        // Released only when nothing is left: a row that committed after the lane's last read keeps the lease,
        // and so does another node's capture for it since :quietSince (see KciSubscription.touch).
        @NamedQuery(name = "KciSubscription.releaseIfIdle",
                query = "UPDATE SubscriptionEntity s SET s.leaseOwner = NULL, s.leaseUntil = :now"
                        + " WHERE s.id = :id AND s.leaseOwner = :node AND s.leaseEpoch = :epoch"
                        + " AND (s.touchedAt IS NULL OR s.touchedAt < :quietSince)"
                        + " AND NOT EXISTS (SELECT d.id FROM DeliveryEntity d WHERE d.subscriptionId = s.id AND d.status = 'PENDING')"),
        // Every row left waits behind a held key: back, blocked until the earliest retry or the next capture.
        @NamedQuery(name = "KciSubscription.releaseHeld",
                query = "UPDATE SubscriptionEntity s SET s.leaseOwner = NULL, s.leaseUntil = :now, s.blockedUntil = :until, s.blockedBy = 'KEYS'"
                        + " WHERE s.id = :id AND s.leaseOwner = :node AND s.leaseEpoch = :epoch"
                        + " AND (s.touchedAt IS NULL OR s.touchedAt < :quietSince)"),
        // A receiver's pause, or a totally ordered queue's head waiting for its retry: no capture lifts it.
        @NamedQuery(name = "KciSubscription.releaseBlocked",
                query = "UPDATE SubscriptionEntity s SET s.leaseOwner = NULL, s.leaseUntil = :now, s.blockedUntil = :until,"
                        + " s.blockedBy = :by WHERE s.id = :id AND s.leaseOwner = :node AND s.leaseEpoch = :epoch"),
        @NamedQuery(name = "KciSubscription.unblockKeys",
                query = "UPDATE SubscriptionEntity s SET s.blockedUntil = NULL, s.blockedBy = NULL WHERE s.id IN :ids AND s.blockedBy = 'KEYS'"),
        // Of the subscriptions a capture on this node woke, those another node serves now.
        @NamedQuery(name = "KciSubscription.servedElsewhere",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.id IN :ids AND s.leaseOwner IS NOT NULL"
                        + " AND s.leaseOwner <> :node AND s.leaseUntil >= :now ORDER BY s.id"),
        // This node captured for them: their lanes elsewhere keep reading until that has been quiet a while.
        @NamedQuery(name = "KciSubscription.touch",
                query = "UPDATE SubscriptionEntity s SET s.touchedAt = :now WHERE s.id IN :ids"),
        @NamedQuery(name = "KciSubscription.removeRealm",
                query = "DELETE FROM SubscriptionEntity s WHERE s.realmId = :realmId"),
        // Broken since before :before, and not stopped by an administrator (that stop is deliberate); in id order, the
        // order in which every transaction that locks several subscriptions takes them.
        @NamedQuery(name = "KciSubscription.brokenBefore",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.brokenSince IS NOT NULL AND s.brokenSince < :before"
                        + " AND (s.status = 'ACTIVE' OR (s.status = 'DISABLED' AND s.disabledBy = 'RECEIVER')) ORDER BY s.id"),
        @NamedQuery(name = "KciSubscription.deletedWithoutDeliveries",
                query = "SELECT s FROM SubscriptionEntity s WHERE s.status = 'DELETED' AND s.updatedAt < :before"
                        + " AND NOT EXISTS (SELECT d.id FROM DeliveryEntity d WHERE d.subscriptionId = s.id)"),
})
public class SubscriptionEntity {

    /** Served, unleased (or its lease ran out), not held for a retry, and with work: what a claim may take. */
    static final String CLAIMABLE = "s.status IN ('ACTIVE', 'SUSPENDED')"
            + " AND (s.leaseOwner IS NULL OR s.leaseUntil < :now) AND (s.blockedUntil IS NULL OR s.blockedUntil <= :now)"
            + " AND EXISTS (SELECT d.id FROM DeliveryEntity d WHERE d.subscriptionId = s.id AND d.status = 'PENDING')";

    /** The last attempt of the batch (a negative :lastAt: the batch sent nothing, the last one stays). */
    static final String LAST_ATTEMPT = " s.lastAttemptAt = CASE WHEN :lastAt < 0L THEN s.lastAttemptAt ELSE :lastAt END,"
            + " s.lastHttpStatus = CASE WHEN :lastAt < 0L THEN s.lastHttpStatus ELSE :lastStatus END";
    /** Renewed only by the lease's holder, and only while the subscription may be delivered. */
    static final String RENEW_FENCE = " WHERE s.id = :id AND s.leaseOwner = :node AND s.leaseEpoch = :epoch AND s.status IN ('ACTIVE', 'SUSPENDED')";

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "NAME", length = 128, nullable = false)
    private String name;
    @Column(name = "APPLICATION_ID", length = 36, nullable = false)
    private String applicationId;
    @Column(name = "TOPIC", length = 128, nullable = false)
    private String topic;
    @Column(name = "FILTER", length = 1024, nullable = false)
    private String filter;
    @Column(name = "ENDPOINT", length = 2048, nullable = false)
    private String endpoint;
    /** The body format's id ({@code ess}, {@code cloudevents}); null (rows from before formats) is {@code ess}. */
    @Column(name = "FORMAT", length = 16)
    private String format;
    @Column(name = "SECRET", length = 64, nullable = false)
    private String secret;
    @Column(name = "PREVIOUS_SECRET", length = 64)
    private String previousSecret;
    @Column(name = "PREVIOUS_SECRET_UNTIL")
    private Long previousSecretUntil;
    @Column(name = "STATUS", length = 16, nullable = false)
    private String status;
    @Column(name = "STATUS_REASON", length = 255)
    private String statusReason;
    @Column(name = "DISABLED_BY", length = 16)
    private String disabledBy;
    @Column(name = "FAILURE_STREAK", nullable = false)
    private int failureStreak;
    /** When a delivery of it was last tried, and what the receiver answered (0: no answer). */
    @Column(name = "LAST_ATTEMPT_AT")
    private Long lastAttemptAt;
    @Column(name = "LAST_HTTP_STATUS")
    private Integer lastHttpStatus;
    /** While the head of the queue waits for its retry (or for access to return): the queue is not served. */
    @Column(name = "BLOCKED_UNTIL")
    private Long blockedUntil;
    /** Why it is held until {@link #blockedUntil}: see {@link BlockedBy}; null is {@code HEAD}. */
    @Column(name = "BLOCKED_BY", length = 16)
    private String blockedBy;
    /** {@code subject} or {@code subscription} (see DeliveryOrdering); null (subscriptions from before) is {@code subscription}. */
    @Column(name = "ORDERING", length = 16)
    private String ordering;
    /** POSTs its lane keeps on the wire at most, with {@code subject} ordering; null before orderings existed. */
    @Column(name = "MAX_IN_FLIGHT")
    private Integer maxInFlight;
    /** The send window its lane last had (it shrinks while the receiver pushes back): what administrators see. */
    @Column(name = "SEND_WINDOW")
    private Integer sendWindow;
    /** Events one POST carries at most as a CloudEvents batch; null: one event per POST. */
    @Column(name = "BATCH_MAX_EVENTS")
    private Integer batchMaxEvents;
    /** How long a batch that is not full waits for more events. */
    @Column(name = "BATCH_MAX_WAIT_MS")
    private Integer batchMaxWaitMs;
    /** The {@code aud} of the bearer token every POST carries (BearerAuth); null: none. */
    @Column(name = "AUTH_AUDIENCE", length = 255)
    private String authAudience;
    /** The client scopes that grant that audience, space-separated. */
    @Column(name = "AUTH_SCOPE", length = 1024)
    private String authScope;
    /** The node serving this subscription's queue, until {@code leaseUntil}. */
    @Column(name = "LEASE_OWNER", length = 64)
    private String leaseOwner;
    @Column(name = "LEASE_UNTIL")
    private Long leaseUntil;
    /** Raised by every claim: a lane's outcomes count only while the epoch it claimed is still the row's. */
    @Column(name = "LEASE_EPOCH", nullable = false)
    private long leaseEpoch;
    /** When a node other than the lease holder last captured for it (that node's clock). */
    @Column(name = "BROKEN_SINCE")
    private Long brokenSince;
    @Column(name = "TOUCHED_AT")
    private Long touchedAt;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getApplicationId() { return applicationId; }
    public void setApplicationId(String applicationId) { this.applicationId = applicationId; }
    public String getTopic() { return topic; }
    public void setTopic(String topic) { this.topic = topic; }
    public String getFilter() { return filter; }
    public void setFilter(String filter) { this.filter = filter; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getFormat() { return format; }
    public void setFormat(String format) { this.format = format; }
    public String getSecret() { return secret; }
    public void setSecret(String secret) { this.secret = secret; }
    public String getPreviousSecret() { return previousSecret; }
    public void setPreviousSecret(String previousSecret) { this.previousSecret = previousSecret; }
    public Long getPreviousSecretUntil() { return previousSecretUntil; }
    public void setPreviousSecretUntil(Long previousSecretUntil) { this.previousSecretUntil = previousSecretUntil; }
    public SubscriptionStatus getStatus() { return SubscriptionStatus.of(status); }
    /** Moves to {@code next} (not DISABLED: see {@link #disable}), if {@link SubscriptionStatus#canBecome} allows it. */
    public void moveTo(SubscriptionStatus next) {
        if (next == SubscriptionStatus.DISABLED) {
            throw new IllegalArgumentException("A subscription is disabled by someone: use disable(by)");
        }
        checkMove(next);
        this.status = next.name();
        this.disabledBy = null;
    }
    /** DISABLED, by {@code by}. */
    public void disable(DisabledBy by) {
        checkMove(SubscriptionStatus.DISABLED);
        this.status = SubscriptionStatus.DISABLED.name();
        this.disabledBy = by.name();
    }
    private void checkMove(SubscriptionStatus next) {
        boolean allowed = status == null ? next == SubscriptionStatus.INITIAL : getStatus().canBecome(next);
        if (!allowed) {
            throw new IllegalStateException("Subscription " + id + " cannot move from " + status + " to " + next);
        }
    }
    /** Who stopped the subscription; meaningful only while it is DISABLED. */
    public DisabledBy getDisabledBy() { return disabledBy == null ? null : DisabledBy.valueOf(disabledBy); }
    public String getStatusReason() { return statusReason; }
    /** The first failed attempt since the last delivery; null while it delivers. */
    public Long getBrokenSince() { return brokenSince; }
    public void setBrokenSince(Long brokenSince) { this.brokenSince = brokenSince; }
    public void setStatusReason(String statusReason) { this.statusReason = statusReason; }
    public int getFailureStreak() { return failureStreak; }
    public Long getLastAttemptAt() { return lastAttemptAt; }
    public Integer getLastHttpStatus() { return lastHttpStatus; }
    public void setFailureStreak(int failureStreak) { this.failureStreak = failureStreak; }
    public Long getBlockedUntil() { return blockedUntil; }
    public void setBlockedUntil(Long blockedUntil) { this.blockedUntil = blockedUntil; }
    public BlockedBy getBlockedBy() { return blockedBy == null ? BlockedBy.HEAD : BlockedBy.valueOf(blockedBy); }
    public void setBlockedBy(BlockedBy by) { this.blockedBy = by == null || by == BlockedBy.HEAD ? null : by.name(); }
    public String getOrdering() { return ordering; }
    public void setOrdering(String ordering) { this.ordering = ordering; }
    public Integer getMaxInFlight() { return maxInFlight; }
    public void setMaxInFlight(Integer maxInFlight) { this.maxInFlight = maxInFlight; }
    public Integer getBatchMaxEvents() { return batchMaxEvents; }
    public Integer getBatchMaxWaitMs() { return batchMaxWaitMs; }
    /** @param batch null: one event per POST */
    public void setBatch(Batching batch) {
        this.batchMaxEvents = batch == null ? null : batch.maxEvents();
        this.batchMaxWaitMs = batch == null ? null : batch.maxWaitMs();
    }
    public Batching getBatch() { return batchMaxEvents == null ? null : new Batching(batchMaxEvents, batchMaxWaitMs == null ? 0 : batchMaxWaitMs); }
    /** @param auth null: no bearer token */
    public void setAuth(BearerAuth auth) {
        this.authAudience = auth == null ? null : auth.audience();
        this.authScope = auth == null ? null : auth.scope();
    }
    public BearerAuth getAuth() { return authAudience == null ? null : new BearerAuth(authAudience, authScope); }
    public Integer getSendWindow() { return sendWindow; }
    public void setSendWindow(Integer sendWindow) { this.sendWindow = sendWindow; }
    public String getLeaseOwner() { return leaseOwner; }
    public void setLeaseOwner(String leaseOwner) { this.leaseOwner = leaseOwner; }
    public Long getLeaseUntil() { return leaseUntil; }
    public void setLeaseUntil(Long leaseUntil) { this.leaseUntil = leaseUntil; }
    public long getLeaseEpoch() { return leaseEpoch; }
    public void setLeaseEpoch(long leaseEpoch) { this.leaseEpoch = leaseEpoch; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
    public long getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(long updatedAt) { this.updatedAt = updatedAt; }
}
