package dev.kcintegrations.events.api;

import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.shared.FormBodyGuard;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.util.UUID;

/**
 * {@link FormBodyGuard} for the events API: a {@code Content-Type} that does not parse, or a form body
 * Keycloak's parser would fail on, is a 400 in the API's error shape with its correlation id.
 */
@Provider
@EventsFormBody
@Priority(Priorities.ENTITY_CODER)
public final class EventsFormBodyFilter extends FormBodyGuard {

    @Override
    protected Response refuse(ContainerRequestContext request, Response.Status status, String description) {
        String correlationId = Correlation.sane(request.getHeaderString(Correlation.HEADER))
                .orElseGet(() -> UUID.randomUUID().toString());
        return ApiResponses.error(new ApiFailure(status.getStatusCode(), description), correlationId);
    }
}
