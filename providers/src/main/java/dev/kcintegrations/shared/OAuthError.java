package dev.kcintegrations.shared;

import jakarta.ws.rs.core.Response;

/**
 * A refusal on a token endpoint, rendered as RFC 6749 §5.2 JSON by {@link OAuthErrorResponses}.
 * Carries the Keycloak event error and the reason an administrator reads in the admin console;
 * neither ever contains a secret or a token.
 *
 * @param status       HTTP status
 * @param error        RFC 6749 error code ({@code invalid_client}, {@code invalid_request}, …)
 * @param description  human-readable {@code error_description}
 * @param eventError   the Keycloak event error ({@code org.keycloak.events.Errors})
 * @param reason       what the event records for the administrator; defaults to the description, and
 *                     differs where the client must not learn it (e.g. whether a client id exists)
 */
public final class OAuthError extends RuntimeException {

    private final Response.Status status;
    private final String error;
    private final String description;
    private final String eventError;
    private final String reason;

    public OAuthError(Response.Status status, String error, String description, String eventError) {
        this(status, error, description, eventError, description);
    }

    public OAuthError(Response.Status status, String error, String description, String eventError, String reason) {
        super(error + ": " + description, null, false, false);
        this.status = status;
        this.error = error;
        this.description = description;
        this.eventError = eventError;
        this.reason = reason;
    }

    public static OAuthError invalidRequest(String description) {
        return new OAuthError(Response.Status.BAD_REQUEST, "invalid_request", description, "invalid_request");
    }

    public Response.Status status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String description() {
        return description;
    }

    public String eventError() {
        return eventError;
    }

    public String reason() {
        return reason;
    }
}
