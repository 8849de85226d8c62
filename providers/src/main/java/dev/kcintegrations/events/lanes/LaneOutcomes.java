package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.store.PendingDelivery;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where a lane hands its outcomes, without waiting for them to be written: {@link GroupCommit} in production. After
 * each write it calls {@link Lane#committed} (the rows are no longer PENDING, the lease renewed) or
 * {@link Lane#leaseLost} (the lease is another's: nothing of the lane's was written).
 */
interface LaneOutcomes {

    /** @param sentAt when the attempt came back: a retry is due {@code delay} after it */
    void sent(Lane lane, PendingDelivery row, SendResult result, RetryPolicy.Verdict verdict, Duration delay, long sentAt);

    /** The application may not receive the topic now: the head (and the queue behind it) waits. */
    void hold(Lane lane, PendingDelivery head, String reason);

    /** Its retention ran out: parked. */
    void expired(Lane lane, PendingDelivery row);

    /** Gives the lease back once the outcomes before it are written; true when it was given back. */
    CompletableFuture<Boolean> release(Lane lane, GroupCommit.ReleaseKind kind, long until);

    /** Renews the lease now; true when it is still the lane's. */
    CompletableFuture<Boolean> renew(Lane lane);
}
