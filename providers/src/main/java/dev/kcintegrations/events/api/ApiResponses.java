package dev.kcintegrations.events.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/**
 * Every answer of the events API: JSON, {@code Cache-Control: no-store}, and the call's
 * {@code Concur-Correlationid}. Errors have one shape: {@code {"statusCode","message","correlationId"}}.
 */
final class ApiResponses {

    record ErrorBody(int statusCode, String message, String correlationId) {
    }

    record Message(String message) {
    }

    private ApiResponses() {
    }

    static Response json(int status, Object body, String correlationId) {
        return json(status, MediaType.APPLICATION_JSON_TYPE, body, correlationId);
    }

    /** @param type a JSON media type ({@code application/schema+json}, say) */
    static Response json(int status, MediaType type, Object body, String correlationId) {
        String text;
        try {
            text = StrictJson.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("API shapes always serialise", e);
        }
        return Response.status(status).type(type.withCharset("utf-8")).entity(text)
                .header("Cache-Control", "no-store")
                .header(Correlation.HEADER, correlationId)
                .build();
    }

    static Response message(int status, String message, String correlationId) {
        return json(status, new Message(message), correlationId);
    }

    static Response error(ApiFailure failure, String correlationId) {
        Response response = json(failure.status, new ErrorBody(failure.status, failure.getMessage(), correlationId), correlationId);
        Response.ResponseBuilder builder = Response.fromResponse(response);
        for (Map.Entry<String, String> header : failure.headers.entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        return builder.build();
    }
}
