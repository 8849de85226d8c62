package dev.kcintegrations.events.topics;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A subscription's {@code filter}: a regular expression matched against the <b>whole</b> event type
 * ({@code LOGIN} delivers only {@code LOGIN}; {@code .*} delivers all). A subscriber writes it and the server
 * compiles and runs it, so both are bounded:
 * <ul>
 *   <li>RE2/J matches in time linear in the event type, whatever the expression (no backtracking);</li>
 *   <li>the <b>program</b> is bounded, not only the text. RE2/J expands {@code x{n}} into n copies of x and
 *       bounds each n at 1,000 but not their product: {@code ((a{1000}){1000}){1000}}, 23 characters, compiles
 *       to about 10⁹ instructions and exhausts the heap (Go's regexp checks this since CVE-2022-41715; RE2/J 1.8
 *       does not). Event types ({@code LOGIN}, {@code USER.UPDATE}) never need counted repetition, so it is
 *       refused before anything is compiled; without it a program grows with the text, and its size is checked
 *       after compiling against {@link #MAX_PROGRAM} all the same;</li>
 *   <li>Unicode groups ({@code \p{Greek}}) are refused: each use copies a large table into the program, and
 *       event types are ASCII;</li>
 *   <li>the case-insensitive flag ({@code (?i)}) is refused: RE2/J 1.8's case folding never ends for some
 *       characters ({@code (?i)\x{1C80}}, or a range over them such as {@code (?i)[B-\x{10FFFF}]}, spin a thread
 *       for ever: google/re2j#168), and {@code [Ll]ogin} says the same; so are characters outside ASCII.</li>
 * </ul>
 */
public final class EventTypeFilter {

    /** Longest filter accepted, in characters. */
    public static final int MAX_LENGTH = 1024;
    /** Most instructions a compiled filter may have: a 1 KiB alternation of every Keycloak event type needs ~1,200. */
    public static final int MAX_PROGRAM = 4096;

    /**
     * {@code {n}}, {@code {n,}}, {@code {n,m}} anywhere in the text. It also matches braces RE2 would take
     * literally ({@code \{2}}, {@code [{2}]}): no event type contains a brace, so refusing those too loses nothing
     * and keeps this check a plain reading of the text, made before the filter itself is compiled.
     */
    private static final Pattern COUNTED_REPETITION = Pattern.compile("\\{[0-9]+(,[0-9]*)?}");
    /**
     * A flag group that sets {@code i}: {@code (?i)}, {@code (?mi)}, {@code (?i:…)}; {@code (?-i)} clears it and
     * passes. Read on the text, as the repetition is, because compiling is what would hang.
     */
    private static final Pattern CASE_INSENSITIVE = Pattern.compile("\\(\\?[A-Za-z]*i");

    private final Pattern pattern;

    private EventTypeFilter(Pattern pattern) {
        this.pattern = pattern;
    }

    /** Thrown for a filter that cannot be used; the message says why, for a 400 naming the field. */
    public static final class InvalidFilterException extends IllegalArgumentException {
        InvalidFilterException(String message) {
            super(message, null);
        }
    }

    public static EventTypeFilter compile(String filter) {
        return compile(filter, MAX_PROGRAM);
    }

    static EventTypeFilter compile(String filter, int maxProgram) {
        if (filter == null || filter.isEmpty()) {
            throw new InvalidFilterException("filter must be a regular expression, e.g. '.*'");
        }
        if (filter.length() > MAX_LENGTH) {
            throw new InvalidFilterException("filter must be at most " + MAX_LENGTH + " characters");
        }
        if (!filter.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new InvalidFilterException("filter must be printable ASCII: event types are");
        }
        if (CASE_INSENSITIVE.matcher(filter).find()) {
            throw new InvalidFilterException("filter must not use the case-insensitive flag (?i): name the cases, e.g. [Ll]ogin");
        }
        if (COUNTED_REPETITION.matcher(filter).find()) {
            throw new InvalidFilterException("filter must not use counted repetition such as {2} or {1,5}: event types are matched"
                    + " whole, and *, +, ? and | are all a filter needs");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(filter, Pattern.DISABLE_UNICODE_GROUPS);
        } catch (PatternSyntaxException e) {
            throw new InvalidFilterException("filter is not a valid regular expression: " + e.getDescription());
        }
        if (pattern.programSize() > maxProgram) {
            throw new InvalidFilterException("filter compiles to a program of " + pattern.programSize() + " instructions; at most "
                    + maxProgram + " are allowed (a shorter alternation, or .*)");
        }
        return new EventTypeFilter(pattern);
    }

    public boolean matches(String eventType) {
        return eventType != null && pattern.matches(eventType);
    }

    public String source() {
        return pattern.pattern();
    }

    /** What the compiled filter costs to keep: its program's instructions. */
    public int weight() {
        return pattern.programSize();
    }
}
