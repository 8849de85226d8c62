package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kcintegrations.shared.StrictJson;

import java.io.IOException;

/**
 * A {@code callProcedure} message of the plugin API asking for a token, by scope or by registered application:
 * {@code {"apiVersion":1,"method":"callProcedure","callId":"…","procedure":"getAccessTokenByScope","params":{"scope":"…"}}},
 * {@code {…,"procedure":"getAccessToken","params":{"applicationKey":"…"}}}.
 *
 * @param callId the caller's id, echoed as it came (any JSON value), or null
 * @param value  the value of the procedure's one parameter ({@link Procedure#param()})
 */
record ProcedureCall(JsonNode callId, Procedure procedure, String value) {

    static final String CALL_PROCEDURE = "callProcedure";

    /** The token procedures, each with its one parameter, which its errors carry back. */
    enum Procedure {
        GET_ACCESS_TOKEN_BY_SCOPE("getAccessTokenByScope", "scope"),
        GET_ACCESS_TOKEN("getAccessToken", "applicationKey");

        private final String id;
        private final String param;

        Procedure(String id, String param) {
            this.id = id;
            this.param = param;
        }

        String id() {
            return id;
        }

        String param() {
            return param;
        }

        static Procedure of(String id) {
            for (Procedure procedure : values()) {
                if (procedure.id.equals(id)) {
                    return procedure;
                }
            }
            return null;
        }
    }

    /** A parameter by name, its value as sent (any JSON value, or null when absent). */
    record Param(String name, JsonNode value) {
    }

    Param param() {
        return new Param(procedure.param(), TextNode.valueOf(value));
    }

    /** Thrown with the callId that could be read, so that the error envelope can echo it. */
    static final class Refused extends RuntimeException {
        final PluginFailure failure;
        final JsonNode callId;
        final String procedure;
        /** The procedure's parameter as it came (null when it had none that could be read): its errors carry it. */
        final Param param;

        Refused(PluginError error, String reason, JsonNode callId, String procedure, Param param) {
            super(reason, null, false, false);
            this.failure = new PluginFailure(error, reason);
            this.callId = callId;
            this.procedure = procedure;
            this.param = param;
        }
    }

    static ProcedureCall parse(byte[] body) {
        JsonNode root;
        try {
            root = StrictJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new Refused(PluginError.JSON_INVALID, "Body is not valid JSON", null, null, null);
        }
        if (root == null || !root.isObject()) {
            throw new Refused(PluginError.JSON_INVALID, "Body is not a JSON object", null, null, null);
        }
        JsonNode callId = root.get("callId");
        JsonNode method = root.get("method");
        if (method == null || !method.isTextual() || !CALL_PROCEDURE.equals(method.textValue())) {
            throw new Refused(PluginError.METHOD_NOT_SUPPORTED, "Only method 'callProcedure' is supported", callId, null, null);
        }
        JsonNode procedureNode = root.get("procedure");
        String procedureName = procedureNode != null && procedureNode.isTextual() ? procedureNode.textValue() : null;
        Procedure procedure = Procedure.of(procedureName);
        if (procedure == null) {
            throw new Refused(PluginError.PROCEDURE_UNKNOWN, "Unknown procedure", callId, procedureName, null);
        }
        JsonNode params = root.get("params");
        JsonNode value = params != null && params.isObject() ? params.get(procedure.param()) : null;
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new Refused(PluginError.PARAM_VALUE_INVALID, "params." + procedure.param() + " must be a non-empty string",
                    callId, procedureName, new Param(procedure.param(), value));
        }
        return new ProcedureCall(callId, procedure, value.textValue());
    }
}
