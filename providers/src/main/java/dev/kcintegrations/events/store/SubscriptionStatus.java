package dev.kcintegrations.events.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a subscription stands, and the only moves between states ({@link SubscriptionEntity#moveTo} refuses the
 * rest). ACTIVE and SUSPENDED ones are served (a SUSPENDED one's queue waits until its application may read the
 * topic again); DISABLED ones keep their queue unserved (410 Gone, or an administrator); DELETED ones are kept
 * only until housekeeping purges them, or until their id is subscribed again.
 *
 * <pre>
 *   from \ to   ACTIVE                SUSPENDED             DISABLED                 DELETED
 *   (new)       subscribe             -                     -                        -
 *   ACTIVE      save again            access lost (lane)    410 (lane), admin        cancel
 *   SUSPENDED   a send went out       still denied          410 (lane), admin        cancel
 *   DISABLED    admin, save again *   -                     admin (new reason)       cancel *
 *   DELETED     subscribe (id reused) -                     -                        -
 * </pre>
 * * unless an administrator disabled it: only an administrator lifts that ({@code SubscriptionLifecycle}).
 * The moves a person asks for are made by the lifecycle service; the moves a receiver's answer or a lost
 * access cause are made by the lanes' group commit, which must not wait for a person (see {@code lanes}).
 */
public enum SubscriptionStatus {
    ACTIVE, SUSPENDED, DISABLED, DELETED;

    /** Whether a subscription in this state may move to {@code next} (staying where it is included). */
    public boolean canBecome(SubscriptionStatus next) {
        return switch (this) {
            case ACTIVE, SUSPENDED -> true;     // served: any of the moves above
            case DISABLED -> next != SUSPENDED; // not served, so access is never found lost
            case DELETED -> next == ACTIVE;     // deleted is final, but for its id being subscribed again
        };
    }

    /** The state a new subscription starts in. */
    public static final SubscriptionStatus INITIAL = ACTIVE;

    public boolean served() {
        return this == ACTIVE || this == SUSPENDED;
    }

    public static SubscriptionStatus of(String stored) {
        return valueOf(stored);
    }

    /** The status named {@code text} (any case), if there is one. */
    public static Optional<SubscriptionStatus> parse(String text) {
        String name = text.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(status -> status.name().equals(name)).findFirst();
    }
}
