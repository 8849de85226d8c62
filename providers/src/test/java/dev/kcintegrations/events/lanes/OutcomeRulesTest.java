package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.lanes.OutcomeRules.Ends;
import dev.kcintegrations.events.lanes.OutcomeRules.Move;
import dev.kcintegrations.events.lanes.OutcomeRules.Retries;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.DisabledBy;
import dev.kcintegrations.events.store.SubscriptionStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static dev.kcintegrations.events.sender.RetryPolicy.Verdict.DELIVERED;
import static dev.kcintegrations.events.sender.RetryPolicy.Verdict.GONE;
import static dev.kcintegrations.events.sender.RetryPolicy.Verdict.REJECTED;
import static dev.kcintegrations.events.sender.RetryPolicy.Verdict.RETRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group commit's rules, without a database: how a sent delivery ends and where its subscription goes. */
class OutcomeRulesTest {

    private static final Duration RETENTION = Duration.ofHours(72);
    private static final long CAPTURED = 1_000_000L;

    @Test
    void aTwoHundredEndsTheDeliveryDelivered() {
        assertEquals(new Ends(DeliveryStatus.DELIVERED, null), OutcomeRules.afterSend(DELIVERED, "HTTP 200", CAPTURED + 5, Duration.ZERO, CAPTURED, RETENTION));
    }

    @Test
    void aFourHundredTheReceiverMeantEndsItRejectedWithTheAnswer() {
        assertEquals(new Ends(DeliveryStatus.REJECTED, "receiver answered HTTP 422"),
                OutcomeRules.afterSend(REJECTED, "HTTP 422", CAPTURED + 5, Duration.ZERO, CAPTURED, RETENTION));
    }

    @Test
    void fourTenEndsTheDeliveryRejectedAndDisablesTheSubscriptionByTheReceiver() {
        assertEquals(new Ends(DeliveryStatus.REJECTED, "receiver answered 410 Gone"),
                OutcomeRules.afterSend(GONE, "HTTP 410", CAPTURED + 5, Duration.ZERO, CAPTURED, RETENTION));
        Move gone = OutcomeRules.gone();
        assertEquals(SubscriptionStatus.DISABLED, gone.to());
        assertEquals(DisabledBy.RECEIVER, gone.by());
        for (SubscriptionStatus served : SubscriptionStatus.values()) {
            if (served.served()) {
                assertTrue(served.canBecome(gone.to()), "a 410 can disable a " + served + " subscription");
            }
        }
    }

    @Test
    void aRetryWithinRetentionIsScheduledAfterTheDelay() {
        long sentAt = CAPTURED + 60_000;
        assertEquals(new Retries(sentAt + 30_000),
                OutcomeRules.afterSend(RETRY, "HTTP 503", sentAt, Duration.ofSeconds(30), CAPTURED, RETENTION));
    }

    @Test
    void aRetryThatWouldFallPastRetentionParksTheDeliveryNow() {
        long sentAt = CAPTURED + RETENTION.toMillis() - 10_000;
        assertEquals(new Ends(DeliveryStatus.PARKED, "retention ended; last attempt: HTTP 503"),
                OutcomeRules.afterSend(RETRY, "HTTP 503", sentAt, Duration.ofSeconds(11), CAPTURED, RETENTION));
        assertEquals(new Retries(CAPTURED + RETENTION.toMillis()),
                OutcomeRules.afterSend(RETRY, "HTTP 503", sentAt, Duration.ofSeconds(10), CAPTURED, RETENTION),
                "a retry exactly at the end of retention is still made");
    }

    @Test
    void aDenialSuspendsOnlyAnActiveSubscription() {
        Move suspend = OutcomeRules.accessDenied(SubscriptionStatus.ACTIVE, "client disabled").orElseThrow();
        assertEquals(SubscriptionStatus.SUSPENDED, suspend.to());
        assertEquals("Suspended: client disabled; deliveries wait until access returns or they expire", suspend.reason());
        assertEquals(Optional.empty(), OutcomeRules.accessDenied(SubscriptionStatus.SUSPENDED, "scope removed"), "keeps its first reason");
        assertEquals(Optional.empty(), OutcomeRules.accessDenied(SubscriptionStatus.DISABLED, "client disabled"), "stays disabled");
    }

    @Test
    void aSendAfterASuspensionResumesTheSubscriptionAndNothingElseDoes() {
        assertEquals(Optional.of(new Move(SubscriptionStatus.ACTIVE, null, null)), OutcomeRules.afterSends(true, true));
        assertEquals(Optional.empty(), OutcomeRules.afterSends(true, false), "held rows only: access is still denied");
        assertEquals(Optional.empty(), OutcomeRules.afterSends(false, true), "an active lane has nothing to resume");
    }
}
