package dev.kcintegrations.events.store;

/** A PENDING row as a lane reads it: what it needs to send, nothing it would have to write back. */
public record PendingDelivery(String id, String eventId, String correlationId, String payload, int attempts,
                              long createdAt, long nextAttemptAt) {
}
