package dev.kcintegrations.events.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a delivery stands, and the only moves between states. A delivery is PENDING until it ends
 * DELIVERED (2xx), REJECTED (a 4xx the receiver meant, or 410), PARKED (retention over) or CANCELLED (its
 * subscription was deleted); a delivered, rejected or parked one may be queued again (PENDING), a
 * cancelled one never. The outbox's bulk statements keep to these moves: each ends only PENDING rows.
 */
public enum DeliveryStatus {
    PENDING, DELIVERED, REJECTED, PARKED, CANCELLED;

    public boolean canBecome(DeliveryStatus next) {
        return switch (this) {
            case PENDING -> next != PENDING;
            case DELIVERED, REJECTED, PARKED -> next == PENDING;
            case CANCELLED -> false;
        };
    }

    /** Whether its subscriber (or an administrator) may queue it again. */
    public boolean requeueable() {
        return canBecome(PENDING);
    }

    /** The status named {@code text} (any case), if there is one. */
    public static Optional<DeliveryStatus> parse(String text) {
        String name = text.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(status -> status.name().equals(name)).findFirst();
    }
}
