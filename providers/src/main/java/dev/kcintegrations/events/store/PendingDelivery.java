package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.BodyFormat;

import java.util.Optional;

/**
 * A PENDING row as a lane reads it: what it needs to send, nothing it would have to write back.
 *
 * @param format          the id of the format the payload is written in (null: {@code ess})
 * @param concurSignature the body's signature made at capture by the key {@code signedWith}; null if none was
 */
public record PendingDelivery(String id, String eventId, String correlationId, String payload, String format, String concurSignature,
                              String signedWith, int attempts, long createdAt, long nextAttemptAt) {

    /** The format the payload is written in, which its Content-Type names. */
    public BodyFormat bodyFormat() {
        return BodyFormat.stored(format);
    }

    /** The signature made at capture, if the key that signs now made it. */
    public Optional<String> signatureBy(String kid) {
        return concurSignature != null && kid.equals(signedWith) ? Optional.of(concurSignature) : Optional.empty();
    }
}
