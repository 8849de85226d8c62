package dev.kcintegrations.events.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code webHookConfig.auth = {"type":"bearer","audience","scope"}}: every POST to the subscription's receiver
 * carries {@code Authorization: Bearer} with an access token the realm issued, whose {@code aud} is exactly
 * {@code audience}, granted by the client scopes {@code scope} (space-separated) that the subscribing
 * application itself holds. {@link dev.kcintegrations.events.sender.BearerTokens} issues and caches it.
 */
public record BearerAuth(String audience, String scope) {

    public static final String TYPE = "bearer";
    public static final int MAX_AUDIENCE = 255;
    public static final int MAX_SCOPE = 1024;
    public static final int MAX_SCOPES = 10;
    /** A scope token as RFC 6749 §3.3 has it (printable ASCII but space, quote and backslash). */
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    public BearerAuth {
        problem(audience, scope).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    /** The scopes, in the order given. */
    public List<String> scopes() {
        return Arrays.asList(scope.split(" "));
    }

    /** Why {@code audience} and {@code scope} cannot be a bearer setting (field names as the API has them), if so. */
    public static Optional<String> problem(String audience, String scope) {
        if (audience == null || audience.isBlank() || audience.length() > MAX_AUDIENCE || !SCOPE_TOKEN.matcher(audience).matches()) {
            return Optional.of("webHookConfig.auth.audience must be 1-" + MAX_AUDIENCE + " printable characters without spaces");
        }
        if (scope == null || scope.isBlank() || scope.length() > MAX_SCOPE) {
            return Optional.of("webHookConfig.auth.scope must name 1-" + MAX_SCOPES
                    + " client scopes of the application, separated by single spaces (at most " + MAX_SCOPE + " characters)");
        }
        String[] scopes = scope.split(" ", -1);
        if (scopes.length > MAX_SCOPES || Arrays.stream(scopes).anyMatch(s -> !SCOPE_TOKEN.matcher(s).matches())) {
            return Optional.of("webHookConfig.auth.scope must name 1-" + MAX_SCOPES
                    + " client scopes of the application, separated by single spaces (at most " + MAX_SCOPE + " characters)");
        }
        return Optional.empty();
    }
}
