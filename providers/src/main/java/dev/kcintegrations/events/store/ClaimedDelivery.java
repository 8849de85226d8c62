package dev.kcintegrations.events.store;

import java.util.List;

/**
 * A delivery this node leased: everything needed to send it without touching the database again.
 *
 * @param secrets the subscription's current secret first, then a rotated one still valid
 */
public record ClaimedDelivery(String id, String realmId, String subscriptionId, String subscriptionName,
                              String endpoint, List<String> secrets, String eventId, String correlationId,
                              String payload, int attempts, long createdAt) {
}
