package dev.kcintegrations.events.capture;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the topic {@code keycloak.webhooks} carries: what happened to a subscription or its deliveries, or to the
 * realm's webhook credentials. Application owners and operators learn it as it happens instead of by polling.
 */
public enum OperationalEvent {
    SUBSCRIPTION_SUSPENDED("subscription.suspended", "A subscription stopped being served: its application lost the right to the topic"),
    SUBSCRIPTION_DISABLED("subscription.disabled", "A subscription was disabled; cause says by whom (RECEIVER: its endpoint answered 410"
            + " Gone; ADMINISTRATOR)"),
    SUBSCRIPTION_ENABLED("subscription.enabled", "A subscription is served again (its application regained the topic, or an"
            + " administrator enabled it)"),
    SUBSCRIPTION_REMOVED("subscription.removed", "A subscription is being removed: its endpoint has failed since brokenSince, longer"
            + " than the server's broken-removal (30 days); told before it is gone"),
    DELIVERIES_PARKED("deliveries.parked", "Deliveries of a subscription were parked: retried until retention ended (count: how many)"),
    VERIFICATION_FAILED("verification.failed", "A subscription's endpoint did not accept its verification event; the save was refused"),
    CLIENT_CERTIFICATE_ADDED("clientCertificate.added", "The realm published a client certificate its POSTs present from activeFrom"
            + " (an administrator's, or the successor Keycloak makes before one it made ends)"),
    SIGNING_KEY_ROTATED("signingKey.rotated", "The realm's webhook signing key retired (kid); a new one signs from now on, the"
            + " retired one stays published at events/v4/jwks for signing-key-overlap");

    private final String eventType;
    private final String description;

    OperationalEvent(String eventType, String description) {
        this.eventType = eventType;
        this.description = description;
    }

    public String eventType() {
        return eventType;
    }

    public String description() {
        return description;
    }

    public static List<String> eventTypes() {
        return Arrays.stream(values()).map(OperationalEvent::eventType).toList();
    }

    public static Optional<OperationalEvent> of(String eventType) {
        return Arrays.stream(values()).filter(event -> event.eventType.equals(eventType)).findFirst();
    }
}
