package dev.kcintegrations.events.topics;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Hostile filters as a subscriber could write them: nested groups of repetition ({@code * + ? {n} {n,m}}),
 * alternation, classes (negated, ranges, Perl classes, case folding) and literals, and many copies of one of
 * them, cut at the length limit. Shared by the unit property and the one against the real server.
 */
public final class FilterGenerators {

    private FilterGenerators() {
    }

    public static Arbitrary<String> filters() {
        return node(0).map(f -> f.length() <= EventTypeFilter.MAX_LENGTH ? f : f.substring(0, EventTypeFilter.MAX_LENGTH));
    }

    private static Arbitrary<String> node(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.of("a", "LOGIN", ".", "\\.", "[A-Z]", "[^a]", "\\w", "\\d", "(?i)x", "[a-zA-Z0-9_.]", "\\S", "[\\x00-\\x{10FFFF}]", "()",
                        // case folding that never ends in RE2/J 1.8 (google/re2j#168), and text outside ASCII
                        "(?i)\\x{1C80}", "(?i:[B-\\x{10FFFF}])", "(?mi)k", "\u1C80", "é"),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12));
        if (depth >= 3) {
            return leaf;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> node(depth + 1));
        Arbitrary<String> repeated = Arbitraries.of("*", "+", "?", "*?", "{1000}", "{2,}", "{0,999}", "{3}", "{1000,1000}")
                .flatMap(op -> inner.map(sub -> "(" + sub + ")" + op));
        Arbitrary<String> alternation = inner.list().ofMinSize(2).ofMaxSize(4).map(parts -> "(" + String.join("|", parts) + ")");
        Arbitrary<String> concatenation = inner.list().ofMinSize(2).ofMaxSize(4).map(parts -> String.join("", parts));
        Arbitrary<String> copies = Arbitraries.integers().between(2, 200).flatMap(n -> inner.map(sub -> ("(" + sub + ")*").repeat(n)));
        return Arbitraries.frequencyOf(Tuple.of(2, leaf), Tuple.of(3, repeated), Tuple.of(2, alternation), Tuple.of(2, concatenation),
                Tuple.of(1, copies));
    }
}
