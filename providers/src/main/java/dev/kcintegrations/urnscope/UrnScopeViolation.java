package dev.kcintegrations.urnscope;

/** A request that breaks the URN scope rules; {@code error} is the OAuth error code to answer with. */
public record UrnScopeViolation(String error, String description) {

    static final String INVALID_SCOPE = "invalid_scope";
    static final String INVALID_TARGET = "invalid_target";

    static UrnScopeViolation invalidScope(String description) {
        return new UrnScopeViolation(INVALID_SCOPE, description);
    }

    static UrnScopeViolation invalidTarget(String description) {
        return new UrnScopeViolation(INVALID_TARGET, description);
    }
}
