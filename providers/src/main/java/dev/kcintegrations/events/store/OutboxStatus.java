package dev.kcintegrations.events.store;

import java.util.List;

/**
 * What a node last read off the outbox. The table is shared, so every node sees the whole cluster's queue.
 *
 * @param pending        PENDING rows (held, leased and due alike)
 * @param oldestCreated  creation time of the oldest PENDING row, null when there is none
 * @param oldestDueSince the earliest time at which a row that is due now became due (its next attempt time,
 *                       or the end of an expired lease), null when nothing is due; a healthy cluster claims
 *                       such rows within a poll interval
 * @param failureStreaks consecutive failed attempts of every subscription that is not deleted
 * @param readAt         when this was read
 */
public record OutboxStatus(long pending, Long oldestCreated, Long oldestDueSince, List<FailureStreak> failureStreaks,
                           long readAt) {

    public OutboxStatus {
        failureStreaks = List.copyOf(failureStreaks);
    }

    public long oldestAgeSeconds() {
        return oldestCreated == null ? 0 : Math.max(0, (readAt - oldestCreated) / 1000);
    }

    public long overdueSeconds() {
        return oldestDueSince == null ? 0 : Math.max(0, (readAt - oldestDueSince) / 1000);
    }

    /** A subscription's run of failed attempts, named as its owner names it. */
    public record FailureStreak(String realm, String subscription, int streak) {
    }
}
