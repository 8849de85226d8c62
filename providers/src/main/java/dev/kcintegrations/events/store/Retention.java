package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What housekeeping ends and removes: deliveries whose retention ended are parked, finished ones and deleted
 * subscriptions purged once their time is over. Each a set-based statement, harmless to repeat.
 */
public final class Retention {

    private final EntityManager em;

    Retention(EntityManager em) {
        this.em = em;
    }

    /** How many deliveries of each subscription {@link #parkExpired} would park now. */
    public Map<String, Integer> expiredBySubscription(long createdBefore, long now) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Object[] row : em.createNamedQuery("KciDelivery.expiredBySubscription", Object[].class)
                .setParameter("createdBefore", createdBefore).setParameter("now", now).getResultList()) {
            counts.put((String) row[0], ((Number) row[1]).intValue());
        }
        return counts;
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

    /** The ids of subscriptions broken since before {@code before} (see KciSubscription.brokenBefore), unlocked. */
    public List<String> brokenBefore(long before) {
        return em.createNamedQuery("KciSubscription.brokenBefore", SubscriptionEntity.class).setParameter("before", before)
                .getResultList().stream().map(SubscriptionEntity::getId).toList();
    }

    /**
     * That subscription if it is still broken since before {@code before}; {@code locked}: under a lock until the
     * transaction ends, for the removal.
     */
    public Optional<SubscriptionEntity> ifBrokenBefore(String id, long before, boolean locked) {
        SubscriptionEntity subscription = locked ? em.find(SubscriptionEntity.class, id, LockModeType.PESSIMISTIC_WRITE)
                : em.find(SubscriptionEntity.class, id);
        return Optional.ofNullable(subscription).filter(s -> s.getBrokenSince() != null && s.getBrokenSince() < before
                && (s.getStatus() == SubscriptionStatus.ACTIVE
                || s.getStatus() == SubscriptionStatus.DISABLED && s.getDisabledBy() == DisabledBy.RECEIVER));
    }

    public int purgeDeletedSubscriptions(long deletedBefore) {
        List<SubscriptionEntity> gone = em.createNamedQuery("KciSubscription.deletedWithoutDeliveries", SubscriptionEntity.class)
                .setParameter("before", deletedBefore).getResultList();
        gone.forEach(em::remove);
        return gone.size();
    }
}
