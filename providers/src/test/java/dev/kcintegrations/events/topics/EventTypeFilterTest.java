package dev.kcintegrations.events.topics;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTypeFilterTest {

    @Test
    void aFilterMatchesTheWholeEventTypeOnly() {
        EventTypeFilter login = EventTypeFilter.compile("LOGIN");
        assertTrue(login.matches("LOGIN"));
        assertFalse(login.matches("LOGIN_ERROR"));
        assertFalse(login.matches("CLIENT_LOGIN"));
    }

    @Test
    void dotStarMatchesEveryType() {
        EventTypeFilter all = EventTypeFilter.compile(".*");
        assertTrue(all.matches("LOGIN"));
        assertTrue(all.matches("USER.CREATE"));
    }

    @Test
    void alternationsAndClassesWork() {
        EventTypeFilter users = EventTypeFilter.compile("USER\\.(CREATE|UPDATE)|LOG[A-Z]+");
        assertTrue(users.matches("USER.UPDATE"));
        assertTrue(users.matches("LOGOUT"));
        assertFalse(users.matches("USER.DELETE"));
    }

    @Test
    void emptyOrMissingFiltersAreRefused() {
        assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile(""));
        assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile(null));
    }

    @Test
    void filtersLongerThanOneKibibyteAreRefused() {
        assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile("a".repeat(1025)));
    }

    @Test
    void invalidExpressionsAreRefusedWithAReason() {
        var e = assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile("(LOGIN"));
        assertTrue(e.getMessage().startsWith("filter is not a valid regular expression"), e.getMessage());
    }

    @Test
    void backreferencesWhichNeedBacktrackingAreRefused() {
        assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile("(A)\\1"));
    }

    /** (a+)+$ takes exponential time in a backtracking engine on "aaaa…ab"; RE2/J answers at once. */
    @Test
    void aCatastrophicPatternRunsInLinearTime() {
        EventTypeFilter evil = EventTypeFilter.compile("(a+)+$");
        String input = "a".repeat(100_000) + "b";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFalse(evil.matches(input)));
    }
}
