package dev.kcintegrations.events.sender;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one POST to a receiver came to.
 *
 * @param httpStatus      the answer's status; empty when no answer came (I/O error, refused target)
 * @param latencyMillis   from the start of the attempt to the answer or the error
 * @param responseExcerpt the first KiB of the answer's body, every JWT in it replaced (see {@link #WITHOUT_TOKENS})
 * @param retryAfter      the answer's {@code Retry-After}, when it had a usable one
 * @param error           why no answer came
 * @param failure         what kind of failure that was ({@link Failure#NONE} when an answer came)
 */
public record SendResult(Optional<Integer> httpStatus, long latencyMillis, String responseExcerpt,
                         Optional<Duration> retryAfter, String error, Failure failure) {

    /**
     * Why no answer came, as far as a sender's pacing cares: a receiver that refuses connections or does not
     * answer in time is overloaded or away (send less), one whose address is refused by policy is not.
     */
    public enum Failure { NONE, REFUSED, TIMEOUT, TARGET_REFUSED, OTHER }

    /**
     * What replaces a JWT in a kept excerpt: a receiver that echoes the request's {@code Authorization} (its bearer
     * token) would otherwise put a live token into the attempt log, which the application and administrators read.
     */
    public static final String WITHOUT_TOKENS = "<a JWT, not kept>";
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");

    public SendResult {
        responseExcerpt = responseExcerpt == null ? null : JWT.matcher(responseExcerpt).replaceAll(WITHOUT_TOKENS);
    }

    public static SendResult answered(int status, long latencyMillis, String excerpt, Optional<Duration> retryAfter) {
        return new SendResult(Optional.of(status), latencyMillis, excerpt, retryAfter, null, Failure.NONE);
    }

    public static SendResult failed(long latencyMillis, String error) {
        return failed(latencyMillis, error, Failure.OTHER);
    }

    public static SendResult failed(long latencyMillis, String error, Failure failure) {
        return new SendResult(Optional.empty(), latencyMillis, null, Optional.empty(), error, failure);
    }

    public boolean successful() {
        return httpStatus.map(status -> status >= 200 && status < 300).orElse(false);
    }

    /** For messages to the subscription's owner. */
    public String describe() {
        return httpStatus.map(status -> "HTTP " + status).orElse(error);
    }
}
