package dev.kcintegrations.callout;

import org.junit.jupiter.api.Test;

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
}
