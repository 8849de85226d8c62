package dev.kcintegrations.events.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.store.AttemptEntity;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.Outbox;

import java.time.Instant;
import java.util.List;

/**
 * A delivery and its attempts, as both the application's {@code GET /subscriptions/{id}/deliveries} and the
 * administrators' {@code event-subscriptions/{id}/deliveries} show it. Times are RFC 3339 UTC.
 * {@code attempts} counts every attempt; {@code attemptLog} holds the newest {@link Outbox#ATTEMPTS_KEPT}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(String deliveryId, String eventId, String eventType, String correlationId, String status,
                           int attempts, int requeues, String createdAt, String nextAttemptAt, String finishedAt, Integer lastHttpStatus,
                           String lastError, List<AttemptView> attemptLog) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttemptView(String at, Integer httpStatus, long latencyMs, String outcome, String response, String error, String node) {
    }

    /** One page, newest first; {@code nextCursor} (absent on the last page) asks for the next with {@code ?cursor=}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Listing(String subscriptionId, String subscriptionStatus, String statusReason, int failureStreak,
                   List<DeliveryView> deliveries, String nextCursor) {
    }

    public static DeliveryView of(DeliveryEntity row, List<AttemptEntity> attempts) {
        return new DeliveryView(row.getId(), row.getEventId(), row.getEventType(), row.getCorrelationId(), row.getStatus().name(),
                row.getAttempts(), row.getRequeues(), time(row.getCreatedAt()),
                row.getStatus() == DeliveryStatus.PENDING ? time(row.getNextAttemptAt()) : null,
                row.getFinishedAt() == null ? null : time(row.getFinishedAt()), row.getLastHttpStatus(), row.getLastError(),
                attempts.stream().map(a -> new AttemptView(time(a.getAttemptedAt()), a.getHttpStatus(), a.getLatencyMillis(),
                        a.getOutcome(), a.getResponseExcerpt(), a.getError(), a.getNode())).toList());
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
