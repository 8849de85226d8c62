package dev.kcintegrations.events.lifecycle;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule for a subscription's {@code id} (its name, chosen by the application): ESS's {@code [a-z0-9.-]},
 * 1 to 128 characters, and nothing a URL path could read as something else. The id is a path segment of both
 * APIs, and clients (curl, browsers, urllib3, Postman) normalise {@code .} and {@code ..} segments away before
 * sending: {@code DELETE …/event-subscriptions/..} became {@code DELETE /admin/realms/R/} and deleted the
 * realm. So an id starts with a letter or digit, has no {@code ..}, and is none of the APIs' own route words.
 * <p>
 * Rows saved before this rule stay reachable for administrators by {@value #BY_UUID}{@code <uuid>} (their
 * internal id, which no client rewrites) and are listed in a warning at start-up.
 */
public final class SubscriptionIds {

    private static final Pattern RULE = Pattern.compile("[a-z0-9][a-z0-9.-]{0,127}");
    /** Path words a subscription id would shadow: {@code events/v4/subscriptions/webhook}, {@code event-subscriptions/access}. */
    static final Set<String> ROUTE_WORDS = Set.of("webhook", "access");
    /** The administrators' API takes a subscription's internal id with this prefix wherever it takes an id. */
    public static final String BY_UUID = "uuid:";

    private SubscriptionIds() {
    }

    /** Why {@code id} cannot name a new subscription, or empty when it can. */
    public static Optional<String> problem(String id) {
        if (id == null || !RULE.matcher(id).matches()) {
            return Optional.of("id must be 1-128 characters of a-z, 0-9, '.' and '-', starting with a letter or digit");
        }
        if (id.contains("..")) {
            return Optional.of("id must not contain '..'");
        }
        if (ROUTE_WORDS.contains(id)) {
            return Optional.of("id must not be '" + id + "', a word of the API's paths");
        }
        return Optional.empty();
    }
}
