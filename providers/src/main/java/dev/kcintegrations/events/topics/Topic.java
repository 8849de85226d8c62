package dev.kcintegrations.events.topics;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * A stream of events an application may subscribe to.
 *
 * @param name       e.g. {@code keycloak.user}
 * @param scope      the client scope that grants it besides {@code events.topic.read}; empty when that alone does
 * @param source     which of Keycloak's events feed it
 * @param eventTypes an optional restriction of the event types it carries (full match)
 */
public record Topic(String name, String scope, Source source, Optional<EventTypeFilter> eventTypes) {

    /** The scope every call of the events API needs. */
    public static final String API_SCOPE = "events.topic.read";

    public enum Source {
        USER, ADMIN, TEST,
        /** The engine's own: what happens to subscriptions and deliveries (capture/OperationalEvent). */
        WEBHOOKS;

        public static Source parse(String value) {
            return Source.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }

    public boolean readableWith(Collection<String> tokenScopes) {
        return tokenScopes.contains(API_SCOPE) && (scope.isEmpty() || tokenScopes.contains(scope));
    }

    public boolean carries(String eventType) {
        return eventTypes.map(filter -> filter.matches(eventType)).orElse(true);
    }
}
