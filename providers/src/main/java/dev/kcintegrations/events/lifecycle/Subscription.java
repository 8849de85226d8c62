package dev.kcintegrations.events.lifecycle;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.store.BlockedBy;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.SubscriptionStatus;

/**
 * A subscription as the APIs read it: a snapshot taken in the request's transaction, never the entity, so a
 * resource cannot change a row behind the lifecycle's back. Its secrets are not here
 * ({@link SubscriptionLifecycle#secrets}): only the one endpoint that shows them to the owner asks for them.
 *
 * @param id     the internal id ({@code uuid:<id>} reaches it in the administrators' API)
 * @param name   the id its application chose
 * @param format the stored body format; {@code ordering} likewise (see {@code BodyFormat.stored}, {@code DeliveryOrdering.stored})
 */
public record Subscription(String id, String name, String applicationId, String topic, String filter, String endpoint,
                           String format, String ordering, Integer maxInFlight, Batching batch, BearerAuth auth, SubscriptionStatus status,
                           String statusReason, int failureStreak, Long lastAttemptAt, Integer lastHttpStatus, long createdAt,
                           Integer sendWindow, Long blockedUntil, BlockedBy blockedBy) {

    static Subscription of(SubscriptionEntity row) {
        return new Subscription(row.getId(), row.getName(), row.getApplicationId(), row.getTopic(), row.getFilter(), row.getEndpoint(),
                row.getFormat(), row.getOrdering(), row.getMaxInFlight(), row.getBatch(), row.getAuth(), row.getStatus(), row.getStatusReason(),
                row.getFailureStreak(), row.getLastAttemptAt(), row.getLastHttpStatus(), row.getCreatedAt(), row.getSendWindow(),
                row.getBlockedUntil(), row.getBlockedBy());
    }

    /** The signing secrets its owner may read: the current one, and the previous one while it still signs. */
    public record Secrets(String secret, String previousSecret, Long previousSecretUntil) {
        @Override
        public String toString() {
            return "Secrets[redacted]"; // never in a log line
        }
    }
}
