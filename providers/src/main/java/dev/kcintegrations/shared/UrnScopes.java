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

    /**
     * IDCS's account resource: its consumer scopes ({@code urn:opc:resource:consumer::all}, hierarchical ones such
     * as {@code urn:opc:resource:consumer:paas::read}) give tokens for this audience, in every environment alike.
     */
    public static final String ACCOUNT_AUDIENCE = "urn:opc:resource:scope:account";
    public static final String CONSUMER_PREFIX = "urn:opc:resource:consumer:";
    /** IDCS's "All" trust scope: requested alone only. */
    public static final String ACCOUNT_SCOPE = "urn:opc:resource:consumer::all";

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

    /** A scope of the account resource: {@code urn:opc:resource:consumer:<path>::<permission>}. */
    public static boolean isConsumerScope(String scope) {
        return scope.startsWith(CONSUMER_PREFIX) && scope.lastIndexOf("::") >= CONSUMER_PREFIX.length() - 1
                && !scope.endsWith("::");
    }

    /**
     * IDCS's hierarchical rule: an allowed consumer scope covers a requested one with the same permission whose
     * resource path extends its own segment by segment ({@code consumer:paas::read} covers
     * {@code consumer:paas:analytics::read}, not {@code consumer:paas::write} nor {@code consumer:paasx::read}).
     */
    public static boolean covers(String allowed, String requested) {
        if (!isConsumerScope(allowed) || !isConsumerScope(requested)) {
            return false;
        }
        String[] a = consumerParts(allowed);
        String[] r = consumerParts(requested);
        if (!a[1].equals(r[1])) {
            return false;
        }
        // The account scope (empty path) covers only itself: it is requested alone, never widened.
        return r[0].equals(a[0]) || !a[0].isEmpty() && r[0].startsWith(a[0] + ":");
    }

    /** {path, permission} of a consumer scope: {@code urn:opc:resource:consumer:paas:analytics::read} → {paas:analytics, read}. */
    private static String[] consumerParts(String scope) {
        int separator = scope.lastIndexOf("::");
        String path = separator < CONSUMER_PREFIX.length() ? "" : scope.substring(CONSUMER_PREFIX.length(), separator);
        return new String[]{path, scope.substring(separator + 2)};
    }
}
