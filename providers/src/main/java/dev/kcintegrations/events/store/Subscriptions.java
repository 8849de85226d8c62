package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Subscriptions of a realm in Keycloak's database, within the caller's transaction. */
public final class Subscriptions {

    private final EntityManager em;
    private final String realmId;

    public Subscriptions(KeycloakSession session, String realmId) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.realmId = realmId;
    }

    public Optional<SubscriptionEntity> byName(String name) {
        return em.createNamedQuery("KciSubscription.byName", SubscriptionEntity.class)
                .setParameter("realmId", realmId).setParameter("name", name)
                .getResultStream().findFirst();
    }

    /**
     * Reads the row again under a write lock, for a change decided on what it holds now: an administrator's
     * stop and an application's save of the same subscription then follow one another, and neither writes back
     * a state the other already changed.
     */
    public void lockFresh(SubscriptionEntity subscription) {
        em.refresh(subscription, LockModeType.PESSIMISTIC_WRITE);
    }

    /** Every realm's subscriptions that are not deleted, a page at a time (for checks at start-up). */
    public static List<SubscriptionEntity> everyLive(KeycloakSession session, int first, int max) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createQuery("SELECT s FROM SubscriptionEntity s WHERE s.status <> 'DELETED' ORDER BY s.id", SubscriptionEntity.class)
                .setFirstResult(first).setMaxResults(max).getResultList();
    }

    /** The realm's subscription with this internal id. */
    public Optional<SubscriptionEntity> byId(String id) {
        return Optional.ofNullable(em.find(SubscriptionEntity.class, id)).filter(s -> s.getRealmId().equals(realmId));
    }

    public List<SubscriptionEntity> ofApplication(String applicationId) {
        return em.createNamedQuery("KciSubscription.byApplication", SubscriptionEntity.class)
                .setParameter("realmId", realmId).setParameter("applicationId", applicationId).getResultList();
    }

    public long countOfApplication(String applicationId) {
        return em.createNamedQuery("KciSubscription.countByApplication", Long.class)
                .setParameter("realmId", realmId).setParameter("applicationId", applicationId).getSingleResult();
    }

    public List<SubscriptionEntity> activeFor(Collection<String> topics) {
        if (topics.isEmpty()) {
            return List.of();
        }
        return em.createNamedQuery("KciSubscription.activeForTopics", SubscriptionEntity.class)
                .setParameter("realmId", realmId).setParameter("topics", topics).getResultList();
    }

    /**
     * The application was deleted: so are its subscriptions, and their pending deliveries are cancelled. The
     * subscriptions first, in id order: a group commit locks the subscriptions it renews in that order, each
     * before its deliveries, and so does this.
     */
    public int removeApplication(String applicationId, long now) {
        lockInOrder(em.createNamedQuery("KciSubscription.lockOfApplication", SubscriptionEntity.class)
                .setParameter("realmId", realmId).setParameter("applicationId", applicationId));
        int removed = em.createNamedQuery("KciSubscription.deleteOfApplication").setParameter("realmId", realmId)
                .setParameter("applicationId", applicationId).setParameter("reason", "Deleted with its application")
                .setParameter("now", now).executeUpdate();
        em.createNamedQuery("KciDelivery.cancelPendingOfApplication").setParameter("realmId", realmId)
                .setParameter("applicationId", applicationId).setParameter("reason", "application deleted")
                .setParameter("now", now).executeUpdate();
        return removed;
    }

    /** The realm was deleted: nothing of it stays, attempts and payloads included. Its subscriptions are locked first, as above. */
    public void removeRealm() {
        lockInOrder(em.createNamedQuery("KciSubscription.lockOfRealm", SubscriptionEntity.class).setParameter("realmId", realmId));
        em.createNamedQuery("KciAttempt.removeRealm").setParameter("realmId", realmId).executeUpdate();
        em.createNamedQuery("KciDelivery.removeRealm").setParameter("realmId", realmId).executeUpdate();
        em.createNamedQuery("KciSubscription.removeRealm").setParameter("realmId", realmId).executeUpdate();
    }

    /**
     * Locks the subscriptions a query reads, in the id order it reads them in. A transaction that locks several
     * subscriptions must take them in one order, or two such transactions (a group commit renewing the leases of
     * its lanes, a client deleted meanwhile) can each hold what the other waits for: PostgreSQL then aborts one of
     * them, and that was an administrator's DELETE answered with a 500.
     */
    private static void lockInOrder(TypedQuery<SubscriptionEntity> subscriptions) {
        subscriptions.setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
    }

    public void add(SubscriptionEntity subscription) {
        em.persist(subscription);
    }

    /** Makes a conflicting concurrent insert fail here, inside the API call, where it becomes a 409. */
    public void flush() {
        em.flush();
    }

    /**
     * A page of the realm's live subscriptions, of every application, by id; {@code applicationId} and
     * {@code status} narrow it when set.
     */
    public List<SubscriptionEntity> page(String applicationId, SubscriptionStatus status, int first, int max) {
        StringBuilder jpql = new StringBuilder("SELECT s FROM SubscriptionEntity s WHERE s.realmId = :realmId AND s.status <> 'DELETED'");
        if (applicationId != null) {
            jpql.append(" AND s.applicationId = :applicationId");
        }
        if (status != null) {
            jpql.append(" AND s.status = :status");
        }
        TypedQuery<SubscriptionEntity> query = em.createQuery(jpql.append(" ORDER BY s.name").toString(), SubscriptionEntity.class)
                .setParameter("realmId", realmId);
        if (applicationId != null) {
            query.setParameter("applicationId", applicationId);
        }
        if (status != null) {
            query.setParameter("status", status.name());
        }
        return query.setFirstResult(first).setMaxResults(max).getResultList();
    }
}
