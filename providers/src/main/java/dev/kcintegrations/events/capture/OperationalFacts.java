package dev.kcintegrations.events.capture;

import dev.kcintegrations.events.store.SubscriptionEntity;

import java.time.Instant;

/**
 * What one operational event says, before it becomes facts.
 *
 * @param subscription the subscription it is about (its internal id never leaves: it keeps the event from the
 *                     subscription itself); null for an event about the realm
 * @param applicationId the internal id of the application it concerns (its subscriptions receive it); null: every
 *                      application's subscriptions to the topic
 * @param clientId     that application's client id, for the facts
 * @param subscriptionId the subscription's id as its application named it
 */
public record OperationalFacts(OperationalEvent type, String subscription, String applicationId, String clientId, String subscriptionId,
                               String topic, String endpoint, String status, String cause, String reason, Integer count,
                               String certificateSubject, Instant activeFrom, String kid) {

    /** A subscription's own event: it moved, or some of its deliveries were parked. */
    public static OperationalFacts about(OperationalEvent type, SubscriptionEntity subscription, String clientId, String cause, String reason,
                                         Integer count) {
        return new OperationalFacts(type, subscription.getId(), subscription.getApplicationId(), clientId, subscription.getName(),
                subscription.getTopic(), subscription.getEndpoint(), subscription.getStatus().name(), cause, reason, count, null, null, null);
    }
}
