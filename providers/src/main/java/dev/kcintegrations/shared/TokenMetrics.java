package dev.kcintegrations.shared;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Token metrics on Keycloak's metrics endpoint (Micrometer's global registry):
 * {@code kci_tokens_issued_total{endpoint,outcome}} and {@code kci_urn_scope_refusals_total{error,grant}}.
 */
public final class TokenMetrics {

    private TokenMetrics() {
    }

    /** @param endpoint {@code oauth-compat}, {@code plugin-api} or {@code token} (Keycloak's own endpoint) */
    public static void issued(String endpoint, boolean success) {
        Counter.builder("kci.tokens.issued").description("Token requests by endpoint and outcome")
                .tag("endpoint", endpoint).tag("outcome", success ? "success" : "error")
                .register(Metrics.globalRegistry).increment();
    }

    /** @param error {@code invalid_scope} or {@code invalid_target}; @param grant the client policy event */
    public static void urnRefusal(String error, String grant) {
        Counter.builder("kci.urn.scope.refusals").description("Requests refused by the URN scope rules")
                .tag("error", error).tag("grant", grant)
                .register(Metrics.globalRegistry).increment();
    }
}
