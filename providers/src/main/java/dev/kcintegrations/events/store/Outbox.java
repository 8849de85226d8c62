package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.BodyFormat;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.UUID;

/**
 * The outbox of webhook deliveries in Keycloak's database, used within the caller's transaction:
 * capture adds rows to the transaction of the change that produced the event ({@link #enqueue}); a node leases a
 * subscription with due work in one short transaction and its lane reads the queue by index range
 * ({@link #leases}); the outcomes of many sends are written together in another ({@link #outcomes}), never holding
 * a row lock or a database connection while a receiver answers. The APIs read through {@link #queries} and
 * housekeeping parks and purges through {@link #retention}.
 */
public final class Outbox {

    private final EntityManager em;
    // The parts, made once per outbox: a lane asks for its leases on every read.
    private final Leases leases;
    private final Outcomes outcomes;
    private final DeliveryQueries queries;
    private final Retention retention;

    /** Attempts kept per delivery, the newest. */
    public static final int ATTEMPTS_KEPT = 20;

    public Outbox(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.leases = new Leases(em);
        this.outcomes = new Outcomes(em);
        this.queries = new DeliveryQueries(session, em);
        this.retention = new Retention(em);
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

    /** Leases and the lane's reads under them. */
    public Leases leases() {
        return leases;
    }

    /** What sends and people's actions did: outcomes, attempts, holds, cancels, requeues. */
    public Outcomes outcomes() {
        return outcomes;
    }

    /** Reads for the APIs and the metrics. */
    public DeliveryQueries queries() {
        return queries;
    }

    /** Housekeeping's parking and purging. */
    public Retention retention() {
        return retention;
    }
}
