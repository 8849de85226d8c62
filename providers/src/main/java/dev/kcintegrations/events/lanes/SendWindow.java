package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;

import java.time.Duration;

/**
 * How many POSTs a lane keeps on the wire: TCP's rule, additive increase and multiplicative decrease, with
 * the receiver's answers for loss. Every success widens the window by one over its size (about one more POST
 * per round trip) up to the ceiling; a sign of overload — 429 or 503, a refused connection, a timeout — halves
 * it, once per round trip (answers to POSTs sent before the last cut do not cut again), never below one. A
 * {@code Retry-After} on a 429 or 503 also pauses the whole lane until then. Pure: the lane thread owns it.
 */
final class SendWindow {

    enum Signal { SUCCESS, CONGESTION, NEUTRAL }

    private final int ceiling;
    private double window;
    private long tickets;
    private long lastCut;
    private long pausedUntil;

    /** @param start where to start (the last lane's window), null: at the ceiling */
    SendWindow(int ceiling, Integer start) {
        if (ceiling < 1) {
            throw new IllegalArgumentException("ceiling must be at least 1");
        }
        this.ceiling = ceiling;
        this.window = start == null ? ceiling : Math.max(1, Math.min(ceiling, start));
    }

    /** POSTs that may be on the wire now. */
    int limit() {
        return Math.max(1, Math.min(ceiling, (int) window));
    }

    int ceiling() {
        return ceiling;
    }

    /** A POST goes out: its ticket, handed back with its result. */
    long dispatched() {
        return ++tickets;
    }

    /** Until when nothing may be sent (a receiver's {@code Retry-After}); 0 when never paused. */
    long pausedUntil() {
        return pausedUntil;
    }

    void onResult(long ticket, SendResult result, long now) {
        switch (classify(result)) {
            case SUCCESS -> window = Math.min(ceiling, window + 1.0 / window);
            case CONGESTION -> {
                if (ticket > lastCut) {
                    window = Math.max(1, window / 2);
                    lastCut = tickets; // everything already on the wire was sent into the old window
                }
                result.retryAfter().ifPresent(asked -> {
                    Duration capped = asked.compareTo(RetryPolicy.MAX_RETRY_AFTER) > 0 ? RetryPolicy.MAX_RETRY_AFTER : asked;
                    pausedUntil = Math.max(pausedUntil, now + capped.toMillis());
                });
            }
            case NEUTRAL -> {
            }
        }
    }

    static Signal classify(SendResult result) {
        if (result.httpStatus().isPresent()) {
            int status = result.httpStatus().get();
            if (status >= 200 && status < 300) {
                return Signal.SUCCESS;
            }
            return status == 429 || status == 503 ? Signal.CONGESTION : Signal.NEUTRAL;
        }
        return switch (result.failure()) {
            case REFUSED, TIMEOUT -> Signal.CONGESTION;
            default -> Signal.NEUTRAL;
        };
    }
}
