package dev.kcintegrations.events.store;

/**
 * A node's claim on one subscription's queue: the fencing token every outcome of its lane is written with.
 * Another claim raises {@code epoch}, after which nothing this lease's lane recorded late counts.
 */
public record SubscriptionLease(String subscriptionId, String realmId, String name, String applicationId, String topic,
                                String owner, long epoch, long until, boolean suspended) {
}
