package dev.kcintegrations.events.store;

/**
 * Where a subscription stands. ACTIVE and SUSPENDED ones are served (a SUSPENDED one's queue waits until
 * its application may read the topic again); DISABLED ones keep their queue unserved (410 Gone, or an
 * administrator); DELETED ones are kept only until housekeeping purges them.
 */
public enum SubscriptionStatus {
    ACTIVE, SUSPENDED, DISABLED, DELETED;

    public boolean served() {
        return this == ACTIVE || this == SUSPENDED;
    }

    public static SubscriptionStatus of(String stored) {
        return valueOf(stored);
    }
}
