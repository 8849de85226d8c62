package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.config.WebhookSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    static final WebhookSettings SETTINGS = new WebhookSettings(5, Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(15), Duration.ofHours(72), Duration.ofDays(30),
            List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10)),
            32, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(5), List.of(), Duration.ofMinutes(10), Duration.ofDays(90),
                    Duration.ofDays(7), 60, 5, 30, 8, 64, 256, "webhook-sender", Duration.ofDays(7), Duration.ofDays(30));

    static SendResult status(int status) {
        return SendResult.answered(status, 1, "", Optional.empty());
    }

    @Test
    void twoHundredsAreDelivered() {
        assertEquals(RetryPolicy.Verdict.DELIVERED, RetryPolicy.judge(status(200)));
        assertEquals(RetryPolicy.Verdict.DELIVERED, RetryPolicy.judge(status(204)));
    }

    @Test
    void serverErrorsAuthProblemsAndThrottlingAreRetried() {
        for (int code : new int[]{500, 502, 503, 401, 403, 429}) {
            assertEquals(RetryPolicy.Verdict.RETRY, RetryPolicy.judge(status(code)), "status " + code);
        }
    }

    @Test
    void ioErrorsAreRetried() {
        assertEquals(RetryPolicy.Verdict.RETRY, RetryPolicy.judge(SendResult.failed(3, "ConnectException")));
    }

    @Test
    void otherClientErrorsAndRedirectsAreRejected() {
        for (int code : new int[]{400, 404, 405, 422, 301, 307}) {
            assertEquals(RetryPolicy.Verdict.REJECTED, RetryPolicy.judge(status(code)), "status " + code);
        }
    }

    @Test
    void goneIsItsOwnVerdict() {
        assertEquals(RetryPolicy.Verdict.GONE, RetryPolicy.judge(status(410)));
    }

    @Test
    void delaysFollowTheScheduleWithinTenPercent() {
        RetryPolicy policy = new RetryPolicy(SETTINGS);
        long second = policy.nextDelay(1, status(503)).toMillis();
        long third = policy.nextDelay(2, status(503)).toMillis();
        assertTrue(second >= 4500 && second <= 5500, "second attempt after ~5 s: " + second);
        assertTrue(third >= 270_000 && third <= 330_000, "third attempt after ~5 min: " + third);
    }

    @Test
    void theLastDelayRepeats() {
        long late = new RetryPolicy(SETTINGS).nextDelay(40, status(503)).toMillis();
        assertTrue(late >= Duration.ofHours(9).toMillis() && late <= Duration.ofHours(11).toMillis(), "every 10 h: " + late);
    }

    @Test
    void retryAfterShorterThanTheScheduleCannotHastenTheRetry() {
        RetryPolicy policy = new RetryPolicy(SETTINGS);
        for (int i = 0; i < 50; i++) {
            long delay = policy.nextDelay(1, SendResult.answered(429, 1, "", Optional.of(Duration.ZERO))).toMillis();
            assertTrue(delay >= 4500, "Retry-After: 0 waited only " + delay + " ms");
        }
        long later = policy.nextDelay(2, SendResult.answered(503, 1, "", Optional.of(Duration.ofSeconds(1)))).toMillis();
        assertTrue(later >= 270_000, "the schedule's 5 min step holds against Retry-After: 1, got " + later);
    }

    @Test
    void retryAfterIsHonouredUpToADay() {
        RetryPolicy policy = new RetryPolicy(SETTINGS);
        assertEquals(Duration.ofSeconds(120), policy.nextDelay(1, SendResult.answered(429, 1, "", Optional.of(Duration.ofSeconds(120)))));
        assertEquals(Duration.ofDays(1), policy.nextDelay(1, SendResult.answered(429, 1, "", Optional.of(Duration.ofDays(9)))));
    }

    @Test
    void aBatchIsAcknowledgedByA2xxGoneOnA410AndRetriedOnAnythingElse() {
        assertEquals(RetryPolicy.Verdict.DELIVERED, RetryPolicy.judgeBatch(status(204)));
        assertEquals(RetryPolicy.Verdict.GONE, RetryPolicy.judgeBatch(status(410)));
        for (int refused : new int[]{400, 404, 413, 422, 500, 503, 429}) {
            assertEquals(RetryPolicy.Verdict.RETRY, RetryPolicy.judgeBatch(status(refused)), "HTTP " + refused
                    + ": one event the receiver could not take must not reject the batch's others");
        }
        assertEquals(RetryPolicy.Verdict.RETRY, RetryPolicy.judgeBatch(SendResult.failed(3, "ConnectException")));
    }
}
