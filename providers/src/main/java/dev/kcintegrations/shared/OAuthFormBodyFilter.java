package dev.kcintegrations.shared;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** {@link FormBodyGuard} for OAuth-style endpoints: refusals as RFC 6749 error JSON. */
@Provider
@OAuthFormBody
@Priority(Priorities.ENTITY_CODER)
public final class OAuthFormBodyFilter extends FormBodyGuard {

    @Override
    protected Response refuse(ContainerRequestContext request, Response.Status status, String description) {
        return OAuthErrorResponses.render(new OAuthError(status, "invalid_request", description, "invalid_request"), null);
    }
}
