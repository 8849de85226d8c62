package dev.kcintegrations.shared;

import java.util.Arrays;
import java.util.List;

/**
 * The grammar of audience-scoped URN scopes (Oracle IDCS convention): a full scope is a resource's primary
 * audience followed by a suffix, e.g. {@code urn:opc:resource:fusion:demo01:field-service-common} + {@code /use}.
 * The one place that says what a URN scope is and whether an audience names an environment.
 */
public final class UrnScopes {

    private static final String PREFIX = "urn:";

    private UrnScopes() {
    }

    /** OAuth scope strings are space-separated (RFC 6749 §3.3); empty parts are ignored. */
    public static List<String> split(String scopeParameter) {
        if (scopeParameter == null || scopeParameter.isBlank()) {
            return List.of();
        }
        return Arrays.stream(scopeParameter.trim().split(" +")).distinct().toList();
    }

    public static boolean isUrn(String scope) {
        return scope.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /**
     * Whether an audience carries the environment name as one of its {@code :}-separated segments
     * ({@code urn:opc:resource:fusion:demo01:field-service-common}, {@code urn:opc:resource:faaas:fa:demo01}).
     */
    public static boolean namesEnvironment(String audience, String environmentName) {
        if (environmentName == null || environmentName.isBlank()) {
            return false;
        }
        return Arrays.asList(audience.split(":")).contains(environmentName);
    }
}
