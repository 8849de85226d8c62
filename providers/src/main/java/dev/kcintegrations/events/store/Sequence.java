package dev.kcintegrations.events.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Capture order of outbox rows: microseconds since the epoch, strictly increasing within a node. Across
 * nodes the order is that of their clocks, which is as close to commit order as a database without a
 * portable sequence lets us get; a subscription's events from one node are always in order.
 */
final class Sequence {

    private static final AtomicLong LAST = new AtomicLong();

    private Sequence() {
    }

    static long next() {
        long now = System.currentTimeMillis() * 1000;
        return LAST.updateAndGet(last -> Math.max(now, last + 1));
    }
}
