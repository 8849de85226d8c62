package dev.kcintegrations.callout;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failure budgets' keys and bookkeeping; CalloutAbuseIT shows them at the endpoint. */
class FailureThrottleTest {

    @Test
    void anIpv6AddressCountsByItsSlash64WhichOneHostHoldsWhole() {
        assertEquals(FailureThrottle.addressKey("2001:db8:1:2::1"), FailureThrottle.addressKey("2001:db8:1:2:ffff:ffff:ffff:fffe"));
        assertTrue(!FailureThrottle.addressKey("2001:db8:1:2::1").equals(FailureThrottle.addressKey("2001:db8:1:3::1")));
        assertEquals("a 127.0.0.2", FailureThrottle.addressKey("127.0.0.2"));
        assertEquals("a not-an-address", FailureThrottle.addressKey("not-an-address"), "never looked up as a name");
    }

    @Test
    void anAddressIsAdmittedUpToItsBudgetAndWhatSucceededIsGivenBack() {
        FailureThrottle throttle = new FailureThrottle(3, 0);
        for (int i = 0; i < 10; i++) {
            assertTrue(throttle.admit("10.0.0.1").isEmpty());
            throttle.succeeded("10.0.0.1");
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(throttle.admit("10.0.0.1").isEmpty(), "failure " + (i + 1));
        }
        assertTrue(throttle.admit("10.0.0.1").isPresent(), "the fourth is refused before it is checked");
        assertTrue(throttle.admit("10.0.0.2").isEmpty(), "another address is not");
    }

    @Test
    void aClientHasABudgetPerRealmAndMadeUpIdsOnlyTheirAddresss() {
        FailureThrottle throttle = new FailureThrottle(0, 2);
        assertTrue(throttle.failed("realm", "client-uuid").isEmpty());
        assertTrue(throttle.failed("realm", "client-uuid").isEmpty());
        assertTrue(throttle.failed("realm", "client-uuid").isPresent());
        assertTrue(throttle.failed("other-realm", "client-uuid").isEmpty(), "another realm's is its own");
        for (int i = 0; i < 10; i++) {
            assertTrue(throttle.failed("realm", null).isEmpty(), "an id that names no client: the address budget holds it");
        }
    }

    @Test
    void zeroTurnsALimitOff() {
        FailureThrottle throttle = new FailureThrottle(0, 0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(throttle.admit("10.0.0.1").isEmpty());
            assertTrue(throttle.failed("realm", "c").isEmpty());
        }
    }

    /**
     * A refused sender is told to come back in whole seconds and nothing is given before then, to it or to anyone
     * from its address, although the bucket refilled a token long before: asking again early buys nothing.
     */
    @Test
    void aRefusalHoldsUntilTheRetryAfterItToldWhateverRefilledMeanwhile() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        FailureThrottle throttle = new FailureThrottle(120, 0, now::get); // a token every 500 ms
        for (int i = 0; i < 120; i++) {
            assertTrue(throttle.admit("10.0.0.1").isEmpty(), "failure " + (i + 1));
        }
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.admit("10.0.0.1"));
        now.addAndGet(600_000_000L); // a token refilled
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.admit("10.0.0.1"), "0.4 s left, told in whole seconds");
        throttle.succeeded("10.0.0.1"); // a success elsewhere gives a token back: still not before the time told
        assertTrue(throttle.admit("10.0.0.1").isPresent());
        now.addAndGet(400_000_000L);
        assertTrue(throttle.admit("10.0.0.1").isEmpty(), "the time told is over");
    }

    @Test
    void aClientsRefusalHoldsLikewise() {
        AtomicLong now = new AtomicLong();
        FailureThrottle throttle = new FailureThrottle(0, 30, now::get); // a token every 2 s
        for (int i = 0; i < 30; i++) {
            assertTrue(throttle.failed("realm", "c").isEmpty());
        }
        now.addAndGet(100_000_000L); // 0.05 of a token back
        assertEquals(Optional.of(Duration.ofSeconds(2)), throttle.failed("realm", "c"), "1.9 s rounded up");
        now.addAndGet(1_900_000_000L); // a whole token back, 0.1 s before the time told
        assertTrue(throttle.failed("realm", "c").isPresent());
        now.addAndGet(100_000_000L);
        assertTrue(throttle.failed("realm", "c").isEmpty());
    }
}
