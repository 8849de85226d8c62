package dev.kcintegrations.plugin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** The plugin API's answers, in the seed's envelope; the one place they are rendered. */
final class PluginEnvelopes {

    static final int API_VERSION = 1;

    @JsonPropertyOrder({"apiVersion", "method", "callId", "procedure", "resultData"})
    record Result(int apiVersion, String method, JsonNode callId, String procedure, ResultData resultData) {
    }

    @JsonPropertyOrder({"token", "status", "detail"})
    record ResultData(String token, String status, String detail) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"apiVersion", "method", "callId", "errors"})
    record Error(int apiVersion, String method, JsonNode callId, List<ErrorItem> errors) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "code", "procedure", "scope", "applicationKey"})
    record ErrorItem(String type, String code, String procedure, JsonNode scope, JsonNode applicationKey) {
    }

    private PluginEnvelopes() {
    }

    static Response success(JsonNode callId, ProcedureCall.Procedure procedure, String token) {
        return noStore(Response.ok(new Result(API_VERSION, "callProcedureResult", callId,
                procedure.id(), new ResultData(token, "success", "")), MediaType.APPLICATION_JSON_TYPE));
    }

    /**
     * @param procedure the procedure named in the call, when one could be read
     * @param param     the call's parameter as sent, for errors that carry it (or null)
     */
    static Response error(PluginError error, boolean nativeApp, JsonNode callId, String procedure, ProcedureCall.Param param) {
        boolean carried = "param".equals(error.field()) && param != null;
        ErrorItem item = new ErrorItem(error.type(nativeApp), error.code(nativeApp), procedure,
                carried && "scope".equals(param.name()) ? param.value() : null,
                carried && "applicationKey".equals(param.name()) ? param.value() : null);
        Response.ResponseBuilder builder = Response.status(error.status())
                .entity(new Error(API_VERSION, "error", callId, List.of(item)))
                .type(MediaType.APPLICATION_JSON_TYPE);
        if (error == PluginError.UNAUTHORIZED) {
            builder.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return noStore(builder);
    }

    private static Response noStore(Response.ResponseBuilder builder) {
        return builder.header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }
}
