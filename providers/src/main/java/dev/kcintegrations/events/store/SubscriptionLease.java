package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.DeliveryOrdering;

/**
 * A node's claim on one subscription's queue: the fencing token every outcome of its lane is written with.
 * Another claim raises {@code epoch}, after which nothing this lease's lane recorded late counts.
 *
 * @param ordering    how the lane keeps order, as the subscription said when it was claimed
 * @param maxInFlight POSTs it asked to keep on the wire at most (null: the default)
 * @param sendWindow  the window its last lane ended with (null: none yet), where the next one starts
 * @param batching    its batches, null: one event per POST
 * @param auth        the bearer token its POSTs carry, null: none (a grant the lane checks before each send)
 */
public record SubscriptionLease(String subscriptionId, String realmId, String name, String applicationId, String topic,
                                String owner, long epoch, long until, boolean suspended, DeliveryOrdering ordering,
                                Integer maxInFlight, Integer sendWindow, Batching batching, BearerAuth auth) {
}
