package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.config.WebhookSettings;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The source service's delivery rules: a 2xx is delivered; 5xx, 401, 403, 429 and I/O errors are retried;
 * 410 Gone disables the subscription; any other 4xx (or 3xx: redirects are not followed) is rejected.
 */
public final class RetryPolicy {

    public enum Verdict { DELIVERED, RETRY, REJECTED, GONE }

    private final WebhookSettings settings;

    public RetryPolicy(WebhookSettings settings) {
        this.settings = settings;
    }

    public static Verdict judge(SendResult result) {
        if (result.httpStatus().isEmpty()) {
            return Verdict.RETRY;
        }
        int status = result.httpStatus().get();
        if (status >= 200 && status < 300) {
            return Verdict.DELIVERED;
        }
        if (status >= 500 || status == 401 || status == 403 || status == 429) {
            return Verdict.RETRY;
        }
        if (status == 410) {
            return Verdict.GONE;
        }
        return Verdict.REJECTED;
    }

    /**
     * A CloudEvents batch: a {@code 2xx} acknowledges every event in it, {@code 410 Gone} disables the
     * subscription, and anything else retries them all. A {@code 400} is not a rejection here: one event the
     * receiver could not take must not reject the others with it; they go again, and are parked, visibly, if
     * the receiver never takes them.
     */
    public static Verdict judgeBatch(SendResult result) {
        Verdict single = judge(result);
        return single == Verdict.REJECTED ? Verdict.RETRY : single;
    }

    /** The longest wait a receiver's {@code Retry-After} can ask for. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    /**
     * When to try again after {@code failedAttempts} failures: the schedule's delay with ±10 % jitter (so
     * receivers coming back are not hit by every queued event in the same second), or the receiver's
     * {@code Retry-After} when that is longer — capped at {@link #MAX_RETRY_AFTER}. A receiver may slow its
     * retries down, never speed them up: {@code Retry-After: 0} on every answer must not turn retries into a loop.
     */
    public Duration nextDelay(int failedAttempts, SendResult result) {
        Duration base = settings.delayAfter(failedAttempts);
        long millis = base.toMillis();
        long jitter = millis / 10;
        Duration scheduled = Duration.ofMillis(jitter == 0 ? millis : millis - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
        if (result.retryAfter().isEmpty()) {
            return scheduled;
        }
        Duration asked = result.retryAfter().get().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : result.retryAfter().get();
        return asked.compareTo(scheduled) > 0 ? asked : scheduled;
    }
}
