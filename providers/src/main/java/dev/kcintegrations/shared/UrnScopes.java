package dev.kcintegrations.shared;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    /** IDCS's "All" trust scope: requested alone only. */
    public static final String ACCOUNT_SCOPE = "urn:opc:resource:consumer::all";
    /** Path segments (group 1, each {@code :name}) and the permission (group 2); one {@code ::}, no empty segment. */
    private static final Pattern CONSUMER_SCOPE = Pattern.compile(
            "urn:opc:resource:consumer((?::[A-Za-z0-9_.-]+)*)::([A-Za-z0-9_.-]+)");

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

    /** A scope of the account resource: {@code urn:opc:resource:consumer:<segment>…::<permission>}, nothing looser. */
    public static boolean isConsumerScope(String scope) {
        return CONSUMER_SCOPE.matcher(scope).matches();
    }

    /**
     * IDCS's hierarchical rule: an allowed consumer scope covers a requested one with the same permission whose
     * resource path extends its own segment by segment ({@code consumer:paas::read} covers
     * {@code consumer:paas:analytics::read}, not {@code consumer:paas::write} nor {@code consumer:paasx::read}).
     * The account scope (no path) covers only itself: it is requested alone, never widened.
     */
    public static boolean covers(String allowed, String requested) {
        Matcher a = CONSUMER_SCOPE.matcher(allowed);
        Matcher r = CONSUMER_SCOPE.matcher(requested);
        if (!a.matches() || !r.matches() || !a.group(2).equals(r.group(2))) {
            return false;
        }
        String allowedPath = a.group(1);
        String requestedPath = r.group(1);
        return requestedPath.equals(allowedPath) || !allowedPath.isEmpty() && requestedPath.startsWith(allowedPath + ":");
    }
}
