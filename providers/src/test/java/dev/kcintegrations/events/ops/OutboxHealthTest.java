package dev.kcintegrations.events.ops;

import dev.kcintegrations.events.store.OutboxStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboxHealthTest {

    static final long NOW = 1_800_000_000_000L;
    final OutboxHealth health = new OutboxHealth(Duration.ofMinutes(10), Duration.ofSeconds(5));

    static OutboxStatus status(Long oldestDueSince, long readAt) {
        return new OutboxStatus(3, NOW - 3_600_000, oldestDueSince, List.of(), readAt);
    }

    @Test
    void isUpBeforeTheFirstRead() {
        assertTrue(health.verdict(NOW).up());
    }

    @Test
    void isUpWhenNothingIsDueEvenIfOldRowsWaitForTheirRetry() {
        health.publish(status(null, NOW));
        assertTrue(health.verdict(NOW).up());
    }

    @Test
    void isUpWhileTheOldestDueRowIsWithinTheBound() {
        health.publish(status(NOW - Duration.ofMinutes(9).toMillis(), NOW));
        assertTrue(health.verdict(NOW).up());
    }

    @Test
    void isDownWhenADueRowWaitedLongerThanTheBound() {
        health.publish(status(NOW - Duration.ofMinutes(11).toMillis(), NOW));
        OutboxHealth.Verdict verdict = health.verdict(NOW);
        assertFalse(verdict.up());
        assertEquals("a delivery has been due for 660 s (bound 600 s)", verdict.reason());
    }

    @Test
    void isDownWhenTheOutboxWasNotReadForLongerThanTheBound() {
        health.publish(status(null, NOW - Duration.ofMinutes(11).toMillis()));
        OutboxHealth.Verdict verdict = health.verdict(NOW);
        assertFalse(verdict.up());
        assertEquals("outbox not read for 660 s", verdict.reason());
    }

    @Test
    void aShortBoundStillAllowsThreeMissedReadsBeforeSilenceCounts() {
        OutboxHealth strict = new OutboxHealth(Duration.ofSeconds(2), Duration.ofSeconds(5));
        strict.publish(status(null, NOW - 14_000));
        assertTrue(strict.verdict(NOW).up());
        strict.publish(status(null, NOW - 16_000));
        assertFalse(strict.verdict(NOW).up());
    }

    @Test
    void aZeroBoundDisablesTheCheck() {
        OutboxHealth disabled = new OutboxHealth(Duration.ZERO, Duration.ofSeconds(5));
        disabled.publish(status(NOW - Duration.ofDays(1).toMillis(), NOW - Duration.ofDays(1).toMillis()));
        assertTrue(disabled.verdict(NOW).up());
    }
}
