package dev.kcintegrations.events.store;

import dev.kcintegrations.events.config.BodyFormat;

import java.util.Optional;

/**
 * A PENDING row as a lane reads it: what it needs to send, nothing it would have to write back.
 *
 * @param format          the id of the format the payload is written in (null: {@code ess})
 * @param concurSignature the body's signature made at capture by the key {@code signedWith}; null if none was
 * @param orderKey        the subject it keeps its order within ({@link #NO_ORDER_KEY} for rows from before keys)
 */
public record PendingDelivery(String id, String eventId, String correlationId, String orderKey, String payload, String format,
                              String concurSignature, String signedWith, int attempts, long createdAt, long nextAttemptAt) {

    /** The key of rows captured before order keys existed: one subject for all of them, in capture order. */
    public static final String NO_ORDER_KEY = "*";

    /** The format the payload is written in, which its Content-Type names. */
    public BodyFormat bodyFormat() {
        return BodyFormat.stored(format);
    }

    /** The signature made at capture, if the key that signs now made it. */
    public Optional<String> signatureBy(String kid) {
        return concurSignature != null && kid.equals(signedWith) ? Optional.of(concurSignature) : Optional.empty();
    }
}
