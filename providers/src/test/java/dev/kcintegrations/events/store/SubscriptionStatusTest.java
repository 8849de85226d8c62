package dev.kcintegrations.events.store;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.kcintegrations.events.store.SubscriptionStatus.ACTIVE;
import static dev.kcintegrations.events.store.SubscriptionStatus.DELETED;
import static dev.kcintegrations.events.store.SubscriptionStatus.DISABLED;
import static dev.kcintegrations.events.store.SubscriptionStatus.SUSPENDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The subscription state machine: the table beside the enum, and the entity that keeps to it. */
class SubscriptionStatusTest {

    @Test
    void servedSubscriptionsMayMoveAnywhereADisabledOneNeverSuspendsAndADeletedOneOnlyStartsAgain() {
        assertEquals(List.of(ACTIVE, SUSPENDED, DISABLED, DELETED), moves(ACTIVE));
        assertEquals(List.of(ACTIVE, SUSPENDED, DISABLED, DELETED), moves(SUSPENDED));
        assertEquals(List.of(ACTIVE, DISABLED, DELETED), moves(DISABLED));
        assertEquals(List.of(ACTIVE), moves(DELETED));
        assertEquals(List.of(ACTIVE, SUSPENDED), Arrays.stream(SubscriptionStatus.values()).filter(SubscriptionStatus::served).toList());
    }

    private static List<SubscriptionStatus> moves(SubscriptionStatus from) {
        return Arrays.stream(SubscriptionStatus.values()).filter(from::canBecome).toList();
    }

    @Test
    void aNewSubscriptionStartsActive() {
        SubscriptionEntity suspendedAtBirth = new SubscriptionEntity();
        assertThrows(IllegalStateException.class, () -> suspendedAtBirth.moveTo(SUSPENDED));
        SubscriptionEntity born = new SubscriptionEntity();
        born.moveTo(SubscriptionStatus.INITIAL);
        assertEquals(ACTIVE, born.getStatus());
    }

    @Test
    void anEntityRefusesAMoveOffTheTableAndKeepsWhereItWas() {
        SubscriptionEntity subscription = new SubscriptionEntity();
        subscription.moveTo(ACTIVE);
        subscription.disable(DisabledBy.RECEIVER);
        assertThrows(IllegalStateException.class, () -> subscription.moveTo(SUSPENDED));
        assertEquals(DISABLED, subscription.getStatus());
        assertEquals(DisabledBy.RECEIVER, subscription.getDisabledBy());
        subscription.moveTo(DELETED);
        assertThrows(IllegalStateException.class, () -> subscription.disable(DisabledBy.ADMINISTRATOR));
        assertEquals(DELETED, subscription.getStatus());
    }

    @Test
    void disablingAlwaysNamesWhoDidItAndAnyOtherMoveForgetsIt() {
        SubscriptionEntity subscription = new SubscriptionEntity();
        subscription.moveTo(ACTIVE);
        assertThrows(IllegalArgumentException.class, () -> subscription.moveTo(DISABLED));
        subscription.disable(DisabledBy.ADMINISTRATOR);
        assertEquals(DisabledBy.ADMINISTRATOR, subscription.getDisabledBy());
        subscription.moveTo(ACTIVE);
        assertNull(subscription.getDisabledBy());
    }

    @Test
    void aStatusIsReadInAnyCaseAndOnlyByItsName() {
        assertEquals(SUSPENDED, SubscriptionStatus.parse(" suspended ").orElseThrow());
        assertEquals(List.of(), SubscriptionStatus.parse("PAUSED").stream().toList());
    }
}
