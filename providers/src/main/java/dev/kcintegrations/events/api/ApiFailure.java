package dev.kcintegrations.events.api;

import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;

import java.util.Map;

/** A refused call: its status and a message for the caller, in the API's one error shape. */
final class ApiFailure extends RuntimeException {

    final int status;
    final Map<String, String> headers;

    ApiFailure(int status, String message) {
        this(status, message, Map.of());
    }

    ApiFailure(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    static ApiFailure badRequest(String message) {
        return new ApiFailure(400, message);
    }

    static ApiFailure forbidden(String message) {
        return new ApiFailure(403, message);
    }

    static ApiFailure notFound(String message) {
        return new ApiFailure(404, message);
    }

    static ApiFailure conflict(String message) {
        return new ApiFailure(409, message);
    }

    /** The lifecycle's refusal, as events/v4 answers it. */
    static ApiFailure of(SubscriptionLifecycle.Refused refused) {
        return switch (refused.kind()) {
            case INVALID -> badRequest(refused.getMessage());
            case NOT_FOUND -> notFound(refused.getMessage());
            case CONFLICT -> conflict(refused.getMessage());
            case TOO_MANY -> new ApiFailure(429, refused.getMessage(), Map.of("Retry-After", Long.toString(refused.retryAfterSeconds())));
        };
    }
}
