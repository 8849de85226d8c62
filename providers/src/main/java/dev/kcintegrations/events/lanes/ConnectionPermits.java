package dev.kcintegrations.events.lanes;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** The POSTs a node keeps on the wire at once over all lanes ({@code max-connections}, the pool's size). */
final class ConnectionPermits {

    private final Semaphore permits;

    ConnectionPermits(int max) {
        this.permits = new Semaphore(max);
    }

    /** A permit, waited for up to {@code millis}; false: none came free (or the wait was interrupted). */
    boolean take(long millis) {
        try {
            return permits.tryAcquire(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void giveBack() {
        permits.release();
    }
}
