package dev.kcintegrations.events.topics;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A subscription's {@code filter}: a regular expression matched against the <b>whole</b> event type
 * ({@code LOGIN} delivers only {@code LOGIN}; {@code .*} delivers all). Compiled by RE2/J, whose matching
 * time is linear in the input, so that no subscriber's filter can stall the server.
 */
public final class EventTypeFilter {

    /** Longest filter accepted, in characters. */
    public static final int MAX_LENGTH = 1024;

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
        if (filter == null || filter.isEmpty()) {
            throw new InvalidFilterException("filter must be a regular expression, e.g. '.*'");
        }
        if (filter.length() > MAX_LENGTH) {
            throw new InvalidFilterException("filter must be at most " + MAX_LENGTH + " characters");
        }
        try {
            return new EventTypeFilter(Pattern.compile(filter));
        } catch (PatternSyntaxException e) {
            throw new InvalidFilterException("filter is not a valid regular expression: " + e.getDescription());
        }
    }

    public boolean matches(String eventType) {
        return eventType != null && pattern.matches(eventType);
    }

    public String source() {
        return pattern.pattern();
    }
}
