package dev.kcintegrations.events.delivery;

import dev.kcintegrations.events.WebhookSettings;

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
     * When to try again after {@code failedAttempts} failures: the receiver's {@code Retry-After} when it gave
     * one (at most a day), else the schedule's delay with ±10 % jitter so receivers coming back are not hit by
     * every queued event in the same second.
     */
    public Duration nextDelay(int failedAttempts, SendResult result) {
        if (result.retryAfter().isPresent()) {
            Duration asked = result.retryAfter().get();
            return asked.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : asked;
        }
        Duration base = settings.delayAfter(failedAttempts);
        long millis = base.toMillis();
        long jitter = millis / 10;
        return Duration.ofMillis(jitter == 0 ? millis : millis - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    }
}
