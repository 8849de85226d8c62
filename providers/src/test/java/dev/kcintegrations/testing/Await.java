package dev.kcintegrations.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits for a condition the server reaches in its own time (a retry, a lease, housekeeping), instead of a fixed
 * sleep: asks every 100 ms, returns as soon as the answer is the awaited one, and fails saying what was awaited
 * and the last answer seen when it does not come in time.
 */
public final class Await {

    private static final Duration EVERY = Duration.ofMillis(100);

    private Await() {
    }

    /** Asks the server something; an exception it throws fails the wait at once. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /**
     * Asks {@code probe} until {@code done} holds for its answer; that answer.
     *
     * @param what what is awaited, for the failure message ("the retired key published")
     */
    public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) {
        return until(what, timeout, EVERY, probe, done);
    }

    /**
     * The same, asking every {@code every}: for a probe that costs the server something it limits (a subscription
     * saved again runs a verification, which is rate-limited per application).
     */
    public static <T> T until(String what, Duration timeout, Duration every, Probe<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T answer = ask(what, probe);
        while (!done.test(answer)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Awaited " + what + " for " + timeout + "; the last answer: " + answer);
            }
            pause(every);
            answer = ask(what, probe);
        }
        return answer;
    }

    /** Waits until {@code condition} holds. */
    public static void until(String what, Duration timeout, Probe<Boolean> condition) {
        until(what, timeout, condition, Boolean::booleanValue);
    }

    private static <T> T ask(String what, Probe<T> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("While awaiting " + what + ": " + e, e);
        }
    }

    /** A deliberate wait, where what a test checks is that time passed without something happening. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting", e);
        }
    }
}
