package dev.kcintegrations.events.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a node's claim divides the subscriptions with work between the nodes that deliver. */
class ClaimShareTest {

    @Test
    void aNodeAloneTakesEverythingWhateverItServesAlready() {
        assertEquals(3, Leases.share(3, 0, 1, 5));
        assertEquals(8, Leases.share(8, 0, 1, 0));
    }

    @Test
    void twoNodesSplitABacklogEvenly() {
        assertEquals(4, Leases.share(8, 0, 2, 0)); // the first to claim takes half
        assertEquals(4, Leases.share(4, 4, 2, 0)); // the second the other half
        assertEquals(0, Leases.share(4, 4, 2, 4)); // the first, again: its half is served
    }

    @Test
    void anOddCountRoundsUpSoNothingIsLeftForNobody() {
        assertEquals(3, Leases.share(5, 0, 2, 0));
        assertEquals(2, Leases.share(2, 3, 2, 0));
        assertEquals(1, Leases.share(1, 0, 3, 0));
    }
}
