package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.sender.SendResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send window: full speed while the receiver keeps up, half at each sign of overload, back up on success. */
class SendWindowTest {

    private static SendResult status(int status) {
        return SendResult.answered(status, 50, "", Optional.empty());
    }

    @Test
    void itStartsAtTheCeilingOrWhereTheLastLaneLeftIt() {
        assertEquals(16, new SendWindow(16, null).limit());
        assertEquals(4, new SendWindow(16, 4).limit());
        assertEquals(16, new SendWindow(16, 99).limit(), "never above the ceiling, even if the ceiling was lowered since");
        assertEquals(1, new SendWindow(16, 0).limit());
    }

    @Test
    void overloadHalvesItOncePerRoundTripNeverBelowOne() {
        SendWindow window = new SendWindow(32, null);
        long[] tickets = new long[32];
        for (int i = 0; i < 32; i++) {
            tickets[i] = window.dispatched();
        }
        window.onResult(tickets[0], status(503), 0);
        assertEquals(16, window.limit());
        for (int i = 1; i < 32; i++) {
            window.onResult(tickets[i], status(429), 0); // sent into the old window: no second cut
        }
        assertEquals(16, window.limit(), "answers to POSTs sent before the cut do not cut again");
        for (int round = 0; round < 10; round++) {
            window.onResult(window.dispatched(), SendResult.failed(5, "refused", SendResult.Failure.REFUSED), 0);
        }
        assertEquals(1, window.limit());
    }

    @Test
    void timeoutsAndRefusedConnectionsAreOverloadOtherFailuresAreNot() {
        assertEquals(SendWindow.Signal.CONGESTION, SendWindow.classify(status(429)));
        assertEquals(SendWindow.Signal.CONGESTION, SendWindow.classify(status(503)));
        assertEquals(SendWindow.Signal.CONGESTION, SendWindow.classify(SendResult.failed(1, "t", SendResult.Failure.TIMEOUT)));
        assertEquals(SendWindow.Signal.CONGESTION, SendWindow.classify(SendResult.failed(1, "r", SendResult.Failure.REFUSED)));
        assertEquals(SendWindow.Signal.NEUTRAL, SendWindow.classify(status(500)), "a failing event is its own key's business");
        assertEquals(SendWindow.Signal.NEUTRAL, SendWindow.classify(status(400)));
        assertEquals(SendWindow.Signal.NEUTRAL, SendWindow.classify(SendResult.failed(1, "policy", SendResult.Failure.TARGET_REFUSED)));
        assertEquals(SendWindow.Signal.NEUTRAL, SendWindow.classify(SendResult.failed(1, "pool", SendResult.Failure.OTHER)));
        assertEquals(SendWindow.Signal.SUCCESS, SendWindow.classify(status(204)));
    }

    @Test
    void successGrowsItBackByAboutOnePerWindowOfSuccesses() {
        SendWindow window = new SendWindow(16, 1);
        int successes = 0;
        while (window.limit() < 16) {
            window.onResult(window.dispatched(), status(200), 0);
            successes++;
            assertTrue(successes < 200, "grows back");
        }
        // 1 + 2 + ... + 15 successes: one more POST per round trip of the window, as TCP's additive increase.
        assertTrue(successes >= 100 && successes <= 130, "successes to grow from 1 to 16: " + successes);
        for (int i = 0; i < 100; i++) {
            window.onResult(window.dispatched(), status(200), 0);
        }
        assertEquals(16, window.limit(), "never beyond the ceiling");
    }

    @Test
    void aRetryAfterPausesTheWholeLaneForAsLongAsAskedUpToADay() {
        SendWindow window = new SendWindow(8, null);
        window.onResult(window.dispatched(), SendResult.answered(503, 5, "", Optional.of(Duration.ofSeconds(3))), 1_000);
        assertEquals(4_000, window.pausedUntil());
        window.onResult(window.dispatched(), SendResult.answered(429, 5, "", Optional.of(Duration.ofSeconds(1))), 1_000);
        assertEquals(4_000, window.pausedUntil(), "a shorter pause does not end a longer one");
        window.onResult(window.dispatched(), SendResult.answered(429, 5, "", Optional.of(Duration.ofDays(30))), 0);
        assertEquals(Duration.ofDays(1).toMillis(), window.pausedUntil());
        SendWindow ignoring = new SendWindow(8, null);
        ignoring.onResult(ignoring.dispatched(), SendResult.answered(500, 5, "", Optional.of(Duration.ofSeconds(9))), 0);
        assertEquals(0, ignoring.pausedUntil(), "only 429 and 503 pause: a 500's Retry-After is its own event's");
        assertEquals(8, ignoring.limit());
    }
}
