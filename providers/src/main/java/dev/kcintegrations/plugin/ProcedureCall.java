package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.shared.StrictJson;

import java.io.IOException;

/**
 * A {@code callProcedure} message of the plugin API:
 * {@code {"apiVersion":1,"method":"callProcedure","callId":"…","procedure":"getAccessTokenByScope","params":{"scope":"…"}}}.
 *
 * @param callId the caller's id, echoed as it came (any JSON value), or null
 */
record ProcedureCall(JsonNode callId, String procedure, String scope) {

    static final String CALL_PROCEDURE = "callProcedure";
    static final String GET_ACCESS_TOKEN_BY_SCOPE = "getAccessTokenByScope";

    /** Thrown with the callId that could be read, so that the error envelope can echo it. */
    static final class Refused extends RuntimeException {
        final PluginFailure failure;
        final JsonNode callId;
        final String procedure;

        Refused(PluginError error, String reason, JsonNode callId, String procedure) {
            super(reason, null, false, false);
            this.failure = new PluginFailure(error, reason);
            this.callId = callId;
            this.procedure = procedure;
        }
    }

    static ProcedureCall parse(byte[] body) {
        JsonNode root;
        try {
            root = StrictJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new Refused(PluginError.JSON_INVALID, "Body is not valid JSON", null, null);
        }
        if (root == null || !root.isObject()) {
            throw new Refused(PluginError.JSON_INVALID, "Body is not a JSON object", null, null);
        }
        JsonNode callId = root.get("callId");
        JsonNode method = root.get("method");
        if (method == null || !method.isTextual() || !CALL_PROCEDURE.equals(method.textValue())) {
            throw new Refused(PluginError.METHOD_NOT_SUPPORTED, "Only method 'callProcedure' is supported", callId, null);
        }
        JsonNode procedure = root.get("procedure");
        String procedureName = procedure != null && procedure.isTextual() ? procedure.textValue() : null;
        if (!GET_ACCESS_TOKEN_BY_SCOPE.equals(procedureName)) {
            throw new Refused(PluginError.PROCEDURE_UNKNOWN, "Unknown procedure", callId, procedureName);
        }
        JsonNode params = root.get("params");
        JsonNode scope = params != null && params.isObject() ? params.get("scope") : null;
        if (scope == null || !scope.isTextual() || scope.textValue().isBlank()) {
            throw new Refused(PluginError.PARAM_VALUE_INVALID, "params.scope must be a non-empty string", callId, procedureName);
        }
        return new ProcedureCall(callId, procedureName, scope.textValue());
    }
}
