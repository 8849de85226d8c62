package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.sender.RetryPolicy;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.DisabledBy;
import dev.kcintegrations.events.store.SubscriptionStatus;

import java.time.Duration;
import java.util.Optional;

/**
 * What the group commit makes of a lane's outcomes, decided without a database or a clock: how a sent delivery
 * ends or when it is tried again, and where its subscription goes. {@link GroupCommit} applies the answers in
 * its transaction; these are the rules, and {@code OutcomeRulesTest} is their specification.
 */
final class OutcomeRules {

    private OutcomeRules() {
    }

    /** What becomes of a delivery after one send. */
    sealed interface AfterSend permits Ends, Retries {
    }

    /** The delivery ends in {@code status}; {@code reason} is what its row keeps as the last error. */
    record Ends(DeliveryStatus status, String reason) implements AfterSend {
    }

    /** The delivery waits and is sent again at {@code at} (epoch milliseconds). */
    record Retries(long at) implements AfterSend {
    }

    /**
     * @param answer    the receiver's answer as the attempt log says it ({@code SendResult#describe})
     * @param capturedAt when the event was captured: retention counts from there
     */
    static AfterSend afterSend(RetryPolicy.Verdict verdict, String answer, long sentAt, Duration delay, long capturedAt,
                               Duration retention) {
        return switch (verdict) {
            case DELIVERED -> new Ends(DeliveryStatus.DELIVERED, null);
            case REJECTED -> new Ends(DeliveryStatus.REJECTED, "receiver answered " + answer);
            case GONE -> new Ends(DeliveryStatus.REJECTED, "receiver answered 410 Gone");
            case RETRY -> {
                long next = sentAt + delay.toMillis();
                // A retry that would fall after the retention window is not scheduled: the delivery is parked now.
                yield next - capturedAt > retention.toMillis()
                        ? new Ends(DeliveryStatus.PARKED, "retention ended; last attempt: " + answer)
                        : new Retries(next);
            }
        };
    }

    /** A move of the subscription; {@code by} only when it is disabled. */
    record Move(SubscriptionStatus to, DisabledBy by, String reason) {
    }

    /** The receiver answered 410 Gone: the subscription is disabled, by the receiver, whatever it was. */
    static Move gone() {
        return new Move(SubscriptionStatus.DISABLED, DisabledBy.RECEIVER, "Disabled: the endpoint answered 410 Gone");
    }

    /**
     * A lane of a suspended subscription sent something: access was checked before each send, so it is back,
     * and the subscription says so again.
     */
    static Optional<Move> afterSends(boolean laneSuspended, boolean sentAny) {
        return laneSuspended && sentAny ? Optional.of(new Move(SubscriptionStatus.ACTIVE, null, null)) : Optional.empty();
    }

    /**
     * The application may no longer read the topic (client disabled, scope gone): its deliveries wait, and an
     * active subscription is suspended. A disabled one stays disabled, and a suspended one keeps its first reason.
     */
    static Optional<Move> accessDenied(SubscriptionStatus current, String why) {
        return current == SubscriptionStatus.ACTIVE
                ? Optional.of(new Move(SubscriptionStatus.SUSPENDED, null,
                        "Suspended: " + why + "; deliveries wait until access returns or they expire"))
                : Optional.empty();
    }
}
