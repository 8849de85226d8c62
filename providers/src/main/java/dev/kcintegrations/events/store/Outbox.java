package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.hibernate.LockMode;
import org.hibernate.query.SelectionQuery;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The outbox of webhook deliveries in Keycloak's database, used within the caller's transaction:
 * capture adds rows to the transaction of the change that produced the event; workers claim due rows with
 * a lease in one short transaction and record the outcome in another, never holding a row lock or a
 * database connection while a receiver answers.
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

    public String enqueue(SubscriptionEntity subscription, String eventId, String eventType, String correlationId,
                          String payload, long now) {
        DeliveryEntity row = new DeliveryEntity();
        row.setId(UUID.randomUUID().toString());
        row.setRealmId(subscription.getRealmId());
        row.setSubscriptionId(subscription.getId());
        row.setEventId(eventId);
        row.setEventType(eventType);
        row.setCorrelationId(correlationId);
        row.setPayload(payload);
        row.setSeq(Sequence.next());
        row.setStatus(DeliveryEntity.PENDING);
        Long blocked = subscription.getBlockedUntil();
        row.setNextAttemptAt(blocked != null && blocked > now ? blocked : now);
        row.setCreatedAt(now);
        em.persist(row);
        return row.getId();
    }

    /**
     * Leases up to {@code limit} due queue heads to {@code node}. {@code SKIP LOCKED} lets nodes claim
     * side by side; the lease, committed with the claim, keeps the row theirs after the lock is gone.
     */
    public List<ClaimedDelivery> claimDueHeads(int limit, String node, long now, long leaseMillis) {
        TypedQuery<DeliveryEntity> query = em.createNamedQuery("KciDelivery.dueHeads", DeliveryEntity.class)
                .setParameter("now", now)
                .setMaxResults(limit)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE);
        query.unwrap(SelectionQuery.class).setHibernateLockMode(LockMode.UPGRADE_SKIPLOCKED);
        List<ClaimedDelivery> claimed = new ArrayList<>();
        for (DeliveryEntity row : query.getResultList()) {
            SubscriptionEntity subscription = em.find(SubscriptionEntity.class, row.getSubscriptionId());
            row.setLeaseOwner(node);
            row.setLeaseUntil(now + leaseMillis);
            List<String> secrets = new ArrayList<>();
            secrets.add(subscription.getSecret());
            if (subscription.getPreviousSecret() != null && subscription.getPreviousSecretUntil() != null
                    && subscription.getPreviousSecretUntil() > now) {
                secrets.add(subscription.getPreviousSecret());
            }
            claimed.add(new ClaimedDelivery(row.getId(), row.getRealmId(), subscription.getId(), subscription.getName(),
                    subscription.getApplicationId(), subscription.getTopic(), subscription.getEndpoint(), List.copyOf(secrets),
                    row.getEventId(), row.getCorrelationId(), row.getPayload(), row.getAttempts(), row.getCreatedAt(),
                    node, now + leaseMillis));
        }
        return claimed;
    }

    public DeliveryEntity find(String deliveryId) {
        return em.find(DeliveryEntity.class, deliveryId);
    }

    /** The row, locked until the transaction ends (null if there is none). */
    public DeliveryEntity findLocked(String deliveryId) {
        return em.find(DeliveryEntity.class, deliveryId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * The claimed row, locked, if the claim still holds it: the lease it wrote is still on the row. A send
     * that outlived its lease finds another node's lease (or outcome) there and must write nothing; the
     * row lock makes two recorders of one attempt wait for each other, so only one of them sees its lease.
     */
    public java.util.Optional<DeliveryEntity> stillLeased(ClaimedDelivery claimed) {
        DeliveryEntity row = em.find(DeliveryEntity.class, claimed.id(), LockModeType.PESSIMISTIC_WRITE);
        if (row == null || !claimed.leaseOwner().equals(row.getLeaseOwner()) || row.getLeaseUntil() == null
                || row.getLeaseUntil() != claimed.leaseUntil()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(row);
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
            List<Number> newest = em.createNamedQuery("KciAttempt.newestOfDelivery", Number.class)
                    .setParameter("deliveryId", attempt.getDeliveryId())
                    .setFirstResult(ATTEMPTS_KEPT - 1).setMaxResults(1).getResultList();
            if (!newest.isEmpty()) {
                em.createNamedQuery("KciAttempt.dropOlder").setParameter("deliveryId", attempt.getDeliveryId())
                        .setParameter("before", newest.get(0).longValue()).executeUpdate();
            }
        }
    }

    /** The head of a subscription's queue waits until {@code until}: so do the rows behind it. */
    public void holdBehind(SubscriptionEntity subscription, String headId, long until) {
        subscription.setBlockedUntil(until);
        em.createNamedQuery("KciDelivery.holdBehind").setParameter("until", until)
                .setParameter("subscriptionId", subscription.getId()).setParameter("headId", headId).executeUpdate();
    }

    public int cancelPending(String subscriptionId, String reason, long now) {
        return em.createNamedQuery("KciDelivery.cancelPending")
                .setParameter("subscriptionId", subscriptionId).setParameter("reason", reason).setParameter("now", now)
                .executeUpdate();
    }

    /** A page of a subscription's deliveries, newest first, coming after the row ({@code beforeSeq}, {@code beforeId}). */
    public List<DeliveryEntity> deliveries(String subscriptionId, String status, long beforeSeq, String beforeId, int max) {
        TypedQuery<DeliveryEntity> query = status == null
                ? em.createNamedQuery("KciDelivery.bySubscription", DeliveryEntity.class)
                : em.createNamedQuery("KciDelivery.bySubscriptionAndStatus", DeliveryEntity.class).setParameter("status", status);
        return query.setParameter("subscriptionId", subscriptionId).setParameter("beforeSeq", beforeSeq)
                .setParameter("beforeId", beforeId).setMaxResults(max).getResultList();
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

    public int purgeFinished(List<String> statuses, long finishedBefore) {
        int purged = em.createNamedQuery("KciDelivery.purgeFinished")
                .setParameter("statuses", statuses).setParameter("before", finishedBefore).executeUpdate();
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
