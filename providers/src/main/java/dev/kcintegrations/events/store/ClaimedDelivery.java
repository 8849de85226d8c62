package dev.kcintegrations.events.store;

import java.util.List;

/**
 * A delivery this node leased: everything needed to send it without touching the database again.
 *
 * @param secrets    the subscription's current secret first, then a rotated one still valid
 * @param leaseOwner the node that claimed it
 * @param leaseUntil when the lease ends; with the owner, the token that lets only this claim record an outcome
 */
public record ClaimedDelivery(String id, String realmId, String subscriptionId, String subscriptionName,
                              String applicationId, String topic, String endpoint, List<String> secrets,
                              String eventId, String correlationId, String payload, int attempts, long createdAt,
                              String leaseOwner, long leaseUntil) {
}
