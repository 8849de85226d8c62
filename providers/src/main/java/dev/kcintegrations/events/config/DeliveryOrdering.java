package dev.kcintegrations.events.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What order a subscription's receiver sees its events in.
 * <ul>
 *   <li>{@code subject}: the events of one subject (a user, an admin resource; see the capture's order key) arrive
 *   in the order they were captured, one at a time; events of different subjects are sent side by side, up to the
 *   subscription's {@code maxInFlight}, and a failing event holds only its own subject.</li>
 *   <li>{@code subscription}: every event in capture order, one POST on the wire; a failing event holds them all.
 *   Subscriptions from before orderings existed have it (a null column reads as it).</li>
 * </ul>
 */
public enum DeliveryOrdering {

    SUBJECT, SUBSCRIPTION;

    /** What a new subscription gets when its request names none. */
    public static final DeliveryOrdering DEFAULT = SUBJECT;

    /** The name in the API and the database. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeliveryOrdering> parse(String id) {
        return Arrays.stream(values()).filter(ordering -> ordering.id().equals(id)).findFirst();
    }

    /** A stored name; none (subscriptions from before orderings existed) is {@code subscription}, today's order. */
    public static DeliveryOrdering stored(String id) {
        return id == null ? SUBSCRIPTION : parse(id).orElse(SUBSCRIPTION);
    }

    public static String allowed() {
        return String.join(", ", Arrays.stream(values()).map(DeliveryOrdering::id).toList());
    }
}
