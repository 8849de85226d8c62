package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.SubscriptionEntity;
import org.keycloak.models.ClientModel;

import java.time.Instant;

/**
 * A subscription as the realm's administrators see it: whose it is, where it sends and in which body format,
 * how it stands. {@code uuid} is its internal id: {@code uuid:<uuid>} reaches it wherever the API takes an id.
 * {@code lastHttpStatus} is absent when the last attempt got no answer; times are RFC 3339 UTC.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SubscriptionAdminView(String id, String uuid, Application application, String topic, String filter, String endpoint, String format, String status,
                             String statusReason, int failureStreak, long pending, Long oldestPendingSeconds,
                             String lastAttemptAt, Integer lastHttpStatus, String createdAt) {

    /** The subscribing application: its client id and its UUID (the client may have been renamed). */
    record Application(String clientId, String id) {
    }

    static SubscriptionAdminView of(SubscriptionEntity subscription, ClientModel client, Outbox.Backlog backlog, long now) {
        return new SubscriptionAdminView(subscription.getName(), subscription.getId(),
                new Application(client == null ? null : client.getClientId(), subscription.getApplicationId()),
                subscription.getTopic(), subscription.getFilter(), subscription.getEndpoint(),
                BodyFormat.stored(subscription.getFormat()).id(), subscription.getStatus().name(),
                subscription.getStatusReason(), subscription.getFailureStreak(), backlog == null ? 0 : backlog.pending(),
                backlog == null ? null : Math.max(0, (now - backlog.oldestCreatedAt()) / 1000),
                subscription.getLastAttemptAt() == null ? null : Instant.ofEpochMilli(subscription.getLastAttemptAt()).toString(),
                subscription.getLastHttpStatus() == null || subscription.getLastHttpStatus() == 0 ? null : subscription.getLastHttpStatus(),
                Instant.ofEpochMilli(subscription.getCreatedAt()).toString());
    }
}
