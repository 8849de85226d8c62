package dev.kcintegrations.events.ops;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /health/ready} on Keycloak's management interface gains a "Webhook outbox" check (see
 * {@link OutboxHealth}). Keycloak's build indexes provider JARs, so Quarkus finds this bean there.
 */
@Readiness
@ApplicationScoped
public class WebhookOutboxReadiness implements HealthCheck {

    static final String NAME = "Webhook outbox";

    @Override
    public HealthCheckResponse call() {
        OutboxHealth health = OutboxHealth.installed();
        if (health == null) {
            return HealthCheckResponse.named(NAME).up().withData("reason", "webhook delivery not started").build();
        }
        OutboxHealth.Verdict verdict = health.verdict(System.currentTimeMillis());
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(verdict.up())
                .withData("reason", verdict.reason())
                .withData("maxOverdueSeconds", health.maxOverdue().toSeconds());
        if (verdict.status() != null) {
            response.withData("pending", verdict.status().pending())
                    .withData("oldestPendingSeconds", verdict.status().oldestAgeSeconds())
                    .withData("oldestDueSeconds", verdict.status().overdueSeconds());
        }
        return response.build();
    }
}
