package dev.kcintegrations.events.topics;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keycloak.events.EventType;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber's filter is compiled on the server, so its <b>program</b> is bounded, not only its text: a
 * 23-character filter of nested counted repetition ({@code ((a{1000}){1000}){1000}}) compiles to about 10⁹
 * instructions and stopped the JVM (RE2/J bounds each count at 1,000, not their product). Event types never
 * need counted repetition, so it is refused; every other filter of at most 1 KiB compiles to a small program.
 */
class EventTypeFilterBoundsTest {

    @ParameterizedTest
    @ValueSource(strings = {"((a{1000}){1000}){1000}", "(a{1000}){1000}", "a{2}", "LOGIN{1,}", "(LOG|OUT){0,3}", "[A-Z]{2,5}_ERROR"})
    void countedRepetitionIsRefusedBeforeAnythingIsCompiled(String filter) {
        var refused = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile(filter)));
        assertTrue(refused.getMessage().contains("counted repetition"), refused.getMessage());
    }

    @Test
    void theLargestUsefulFilterFitsTheProgramBound() {
        String everyType = Arrays.stream(EventType.values()).map(Enum::name).collect(Collectors.joining("|"));
        String filter = everyType.substring(0, everyType.lastIndexOf('|', EventTypeFilter.MAX_LENGTH));
        EventTypeFilter compiled = EventTypeFilter.compile(filter);
        assertTrue(compiled.weight() <= EventTypeFilter.MAX_PROGRAM, compiled.weight() + " instructions");
        assertTrue(compiled.matches("LOGIN"));
    }

    /** RE2/J 1.8 folds the case of these for ever (google/re2j#168): one request would spin a thread until restart. */
    @ParameterizedTest
    @ValueSource(strings = {"(?i)\\x{1C80}", "(?i)[B-\\x{10FFFF}]", "(?is)x", "a(?i:b)", "(?mi)LOGIN"})
    void theCaseInsensitiveFlagIsRefusedBeforeItCanHangTheCompiler(String filter) {
        var refused = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile(filter)));
        assertTrue(refused.getMessage().contains("case-insensitive"), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOGİN", "é", "\u1C80", "LOGIN\t"})
    void characterOutsidePrintableAsciiAreRefused(String filter) {
        assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile(filter));
    }

    @Test
    void clearingTheCaseFlagIsHarmlessAndPasses() {
        assertTrue(EventTypeFilter.compile("(?-i)LOGIN").matches("LOGIN"));
    }

    @Test
    void unicodeGroupsWhichNoEventTypeNeedsAreRefused() {
        // \p{…} classes are large tables copied into every instruction that uses them; event types are ASCII.
        var refused = assertThrows(EventTypeFilter.InvalidFilterException.class, () -> EventTypeFilter.compile("\\pL+"));
        assertTrue(refused.getMessage().startsWith("filter is not a valid regular expression"), refused.getMessage());
    }

    /**
     * Generated filters of nested repetition, alternation, classes and groups up to the length limit: each is
     * refused or compiled within 100 ms, and a compiled one stays within the program bound and matches an
     * event type at once.
     */
    @Property(tries = 2000)
    void everyFilterIsRefusedOrCompiledQuicklyToABoundedProgram(@ForAll("filters") String filter) {
        long started = System.nanoTime();
        String outcome;
        try {
            EventTypeFilter compiled = EventTypeFilter.compile(filter);
            assertTrue(compiled.weight() <= EventTypeFilter.MAX_PROGRAM, () -> filter + ": " + compiled.weight());
            compiled.matches("CLIENT_LOGIN_ERROR");
            outcome = "compiled";
        } catch (EventTypeFilter.InvalidFilterException refused) {
            outcome = refused.getMessage().contains("counted repetition") ? "refused: counted"
                    : refused.getMessage().contains("program") ? "refused: program" : "refused: other";
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 100, () -> filter + " took " + millis + " ms");
        Statistics.collect(outcome);
    }

    @Provide
    Arbitrary<String> filters() {
        return FilterGenerators.filters();
    }

    /**
     * Without counted repetition a program grows with the text (about one instruction a character), so the
     * program bound is a second wall that 1 KiB does not reach; shown here with a bound of 32.
     */
    @Test
    void aProgramOverTheBoundIsRefusedWithItsSize() {
        var refused = assertThrows(EventTypeFilter.InvalidFilterException.class,
                () -> EventTypeFilter.compile("(LOGIN|LOGOUT|CODE_TO_TOKEN|REFRESH_TOKEN)_ERROR", 32));
        assertTrue(refused.getMessage().contains("program of"), refused.getMessage());
        assertEquals(".*", EventTypeFilter.compile(".*", 32).source());
    }
}
