package dev.kcintegrations.events.lifecycle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls per application and minute on this node (a fixed window): test events, endpoint verifications. A
 * subscriber cannot make the server sign and send bodies, or call endpoints, as fast as it can call. One
 * counter per application that called in the current minute; all are dropped when the window turns, so the
 * map never outgrows the realm's clients.
 */
public final class PerMinuteLimiter {

    private static final long WINDOW_MILLIS = 60_000;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private long window;

    /** @return 0 when the call may go (it is counted), else the whole seconds until the next window */
    public long secondsToWait(String applicationId, int perMinute, long nowMillis) {
        long current = nowMillis / WINDOW_MILLIS;
        synchronized (this) {
            if (current > window) { // a caller with an older clock never turns the window back
                counts.clear();
                window = current;
            }
        }
        if (counts.computeIfAbsent(applicationId, id -> new AtomicInteger()).incrementAndGet() <= perMinute) {
            return 0;
        }
        return Math.max(1, ((current + 1) * WINDOW_MILLIS - nowMillis + 999) / 1000);
    }
}
