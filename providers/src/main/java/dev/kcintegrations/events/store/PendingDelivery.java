package dev.kcintegrations.events.store;

/**
 * A PENDING row as a lane reads it: what it needs to send, nothing it would have to write back.
 *
 * @param concurSignature the body's signature made at capture by the key {@code signedWith}; null if none was
 */
public record PendingDelivery(String id, String eventId, String correlationId, String payload, String concurSignature,
                              String signedWith, int attempts, long createdAt, long nextAttemptAt) {

    /** The signature made at capture, if the key that signs now made it. */
    public java.util.Optional<String> signatureBy(String kid) {
        return concurSignature != null && kid.equals(signedWith) ? java.util.Optional.of(concurSignature) : java.util.Optional.empty();
    }
}
