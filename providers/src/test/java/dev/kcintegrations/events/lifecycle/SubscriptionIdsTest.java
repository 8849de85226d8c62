package dev.kcintegrations.events.lifecycle;

import dev.kcintegrations.events.store.SubscriptionEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscription id is a path segment no URL client rewrites, and no word of the APIs' own paths. */
class SubscriptionIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", ".hidden", "-x", "a..b", "webhook", "access", "", "UPPER", "a/b", "a b"})
    void pathShapedOrRouteWordIdsAreRefused(String id) {
        assertTrue(SubscriptionIds.problem(id).isPresent(), id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-company.logins.v1", "a", "0", "x.", "webhook2", "access-log", "a.b.c"})
    void essIdsPass(String id) {
        assertEquals(Optional.empty(), SubscriptionIds.problem(id), id);
    }

    @Test
    void anIdOf128CharactersPassesAndOneMoreIsRefused() {
        assertTrue(SubscriptionIds.problem("a".repeat(128)).isEmpty());
        assertTrue(SubscriptionIds.problem("a".repeat(129)).isPresent());
    }

    @Test
    void rowsSavedBeforeTheRulesAreNamedWithTheKeyThatReachesThem() {
        SubscriptionEntity dots = row("11111111-1111-1111-1111-111111111111", "..", ".*");
        SubscriptionEntity bomb = row("22222222-2222-2222-2222-222222222222", "bomb", "((a{1000}){1000}){1000}");
        SubscriptionEntity fine = row("33333333-3333-3333-3333-333333333333", "fine", "LOGIN|LOGOUT");
        List<String> findings = StoredSubscriptionCheck.findings(List.of(dots, bomb, fine));
        assertEquals(2, findings.size(), findings.toString());
        assertTrue(findings.get(0).contains("uuid:11111111-1111-1111-1111-111111111111"), findings.get(0));
        assertTrue(findings.get(1).contains("'bomb'") && findings.get(1).contains("counted repetition"), findings.get(1));
    }

    private static SubscriptionEntity row(String id, String name, String filter) {
        SubscriptionEntity entity = new SubscriptionEntity();
        entity.setId(id);
        entity.setRealmId("realm-id");
        entity.setName(name);
        entity.setFilter(filter);
        return entity;
    }
}
