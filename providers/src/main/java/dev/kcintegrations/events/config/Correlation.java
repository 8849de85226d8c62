package dev.kcintegrations.events.config;

import org.keycloak.models.KeycloakSession;

import java.util.Optional;
import java.util.UUID;

/**
 * The {@code Concur-Correlationid} of a call: the caller's own when it is a sane token (so it can be echoed
 * and logged without letting anyone write into our logs), otherwise a new UUID.
 */
public final class Correlation {

    public static final String HEADER = "Concur-Correlationid";
    private static final String SAFE = "[A-Za-z0-9._:@/+=-]{1,128}";

    private Correlation() {
    }

    public static Optional<String> sane(String candidate) {
        return Optional.ofNullable(candidate).map(String::strip).filter(value -> value.matches(SAFE));
    }

    public static String ofRequest(KeycloakSession session) {
        return fromRequest(session).orElseGet(() -> UUID.randomUUID().toString());
    }

    public static Optional<String> fromRequest(KeycloakSession session) {
        try {
            return sane(session.getContext().getRequestHeaders().getHeaderString(HEADER));
        } catch (RuntimeException noRequest) {
            return Optional.empty();
        }
    }
}
