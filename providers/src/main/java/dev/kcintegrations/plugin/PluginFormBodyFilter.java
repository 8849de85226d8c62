package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.FormBodyGuard;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** {@link FormBodyGuard} for the plugin API: refusals in its error envelope. */
@Provider
@PluginFormBody
@Priority(Priorities.ENTITY_CODER)
public final class PluginFormBodyFilter extends FormBodyGuard {

    @Override
    protected Response refuse(ContainerRequestContext request, Response.Status status, String description) {
        return PluginEnvelopes.error(PluginError.JSON_INVALID, false, null, null, null);
    }
}
