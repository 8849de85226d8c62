package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.store.DeliveryQueries;
import dev.kcintegrations.events.lifecycle.Subscription;
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
                             String lastAttemptAt, Integer lastHttpStatus, String createdAt, Delivery delivery) {

    /**
     * How its lane sends: the ordering, the POSTs it may keep in flight ({@code maxInFlight}, within the server's
     * bound) and the window it last had ({@code window}: smaller while the receiver pushes back), the order keys
     * held by an event waiting for a retry, and until when and why the whole subscription waits, if it does
     * ({@code blockedBy}: {@code HEAD} its first event's retry or lost access, {@code KEYS} every event left is
     * behind a held key, {@code RECEIVER} the receiver's Retry-After), its batches (absent: one event per POST) and the
     * bearer token its POSTs carry ({@code auth}: audience and scope; absent: none).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delivery(String ordering, int maxInFlight, int window, long heldKeys, String blockedUntil, String blockedBy, Batching batch,
                    BearerAuth auth) {
    }

    /** The subscribing application: its client id and its UUID (the client may have been renamed). */
    record Application(String clientId, String id) {
    }

    static SubscriptionAdminView of(Subscription subscription, ClientModel client, DeliveryQueries.Backlog backlog, long now,
                                    WebhookSettings settings) {
        DeliveryOrdering ordering = DeliveryOrdering.stored(subscription.ordering());
        int ceiling = ordering == DeliveryOrdering.SUBSCRIPTION ? 1 : Math.min(settings.maxInFlight(),
                subscription.maxInFlight() == null ? settings.defaultMaxInFlight() : subscription.maxInFlight());
        boolean blocked = subscription.blockedUntil() != null && subscription.blockedUntil() > now;
        Delivery delivery = new Delivery(ordering.id(), ceiling,
                subscription.sendWindow() == null ? ceiling : Math.min(ceiling, subscription.sendWindow()),
                backlog == null ? 0 : backlog.heldKeys(),
                blocked ? Instant.ofEpochMilli(subscription.blockedUntil()).toString() : null,
                blocked ? subscription.blockedBy().name() : null, subscription.batch(), subscription.auth());
        return new SubscriptionAdminView(subscription.name(), subscription.id(),
                new Application(client == null ? null : client.getClientId(), subscription.applicationId()),
                subscription.topic(), subscription.filter(), subscription.endpoint(),
                BodyFormat.stored(subscription.format()).id(), subscription.status().name(),
                subscription.statusReason(), subscription.failureStreak(), backlog == null ? 0 : backlog.pending(),
                backlog == null ? null : Math.max(0, (now - backlog.oldestCreatedAt()) / 1000),
                subscription.lastAttemptAt() == null ? null : Instant.ofEpochMilli(subscription.lastAttemptAt()).toString(),
                subscription.lastHttpStatus() == null || subscription.lastHttpStatus() == 0 ? null : subscription.lastHttpStatus(),
                Instant.ofEpochMilli(subscription.createdAt()).toString(), delivery);
    }
}
