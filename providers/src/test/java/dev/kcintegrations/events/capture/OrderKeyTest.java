package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.topics.Topic;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subject an event keeps its order within. */
class OrderKeyTest {

    private static EventPayload event(Topic.Source source, String subject, ObjectNode facts) {
        return new EventPayload("ev-1", "c", "T", "t", "realm", Instant.EPOCH, facts, source, subject, null);
    }

    @Test
    void aUserEventIsOrderedWithinItsUser() {
        assertEquals("users/u-1", OrderKey.of(event(Topic.Source.USER, "users/u-1", JsonNodeFactory.instance.objectNode())));
    }

    @Test
    void anAdminEventIsOrderedWithinItsResourceSoARolesMappingGoesWithTheUsersOwnChanges() {
        assertEquals("users/u-1", OrderKey.of(event(Topic.Source.ADMIN, "users/u-1/role-mappings/realm", null)));
        assertEquals("clients/c-9", OrderKey.of(event(Topic.Source.ADMIN, "clients/c-9/roles/admin", null)));
        assertEquals("clients/c-9", OrderKey.of(event(Topic.Source.ADMIN, "clients/c-9", null)));
        assertEquals("events", OrderKey.of(event(Topic.Source.ADMIN, "events", null)), "a one-segment path is its own key");
    }

    @Test
    void aTestEventWithAUserIdInItsFactsIsOrderedWithinThatUser() {
        ObjectNode facts = JsonNodeFactory.instance.objectNode().put("userId", "u-7");
        assertEquals("users/u-7", OrderKey.of(event(Topic.Source.TEST, null, facts)));
        ObjectNode numeric = JsonNodeFactory.instance.objectNode().put("userId", 7);
        assertEquals("events/ev-1", OrderKey.of(event(Topic.Source.TEST, null, numeric)), "only a textual userId names a user");
    }

    @Test
    void anEventAboutNothingIsOrderedWithNothing() {
        assertEquals("events/ev-1", OrderKey.of(event(Topic.Source.TEST, null, JsonNodeFactory.instance.objectNode())));
    }

    @Test
    void aKeyLongerThanTheColumnIsItsHash() {
        String key = OrderKey.of(event(Topic.Source.ADMIN, "users/" + "x".repeat(400), null));
        assertTrue(key.startsWith("sha256:") && key.length() <= OrderKey.MAX_LENGTH, key);
        assertEquals(key, OrderKey.of(event(Topic.Source.ADMIN, "users/" + "x".repeat(400) + "/more", null)), "stable");
    }
}
