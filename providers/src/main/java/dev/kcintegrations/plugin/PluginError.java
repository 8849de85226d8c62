package dev.kcintegrations.plugin;

import jakarta.ws.rs.core.Response;

/**
 * The plugin API's error table: the seed's types and codes, plus this project's codes in the same style
 * for refusals the seed does not name (bearer token, client, scope rules). Errors of the token procedure
 * use the {@code _NATIVE_} names when the plugin client is marked as a native app.
 */
public enum PluginError {
    JSON_INVALID("TYPE_INTERNAL", "CODE_JSON_INVALID", Response.Status.BAD_REQUEST, null),
    METHOD_NOT_SUPPORTED("TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED", Response.Status.BAD_REQUEST, null),
    /** An HTTP method other than POST (and OPTIONS) on the procedure endpoint. */
    HTTP_METHOD_NOT_ALLOWED("TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED", Response.Status.METHOD_NOT_ALLOWED, null),
    UNKNOWN("TYPE_INTERNAL", "CODE_UNKNOWN", Response.Status.INTERNAL_SERVER_ERROR, null),
    PROCEDURE_UNKNOWN("TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_UNKNOWN", Response.Status.BAD_REQUEST, "procedure"),
    PARAM_VALUE_INVALID("TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID", Response.Status.BAD_REQUEST, "param"),
    OFFLINE_NOT_SUPPORTED(null, "OFFLINE_NOT_SUPPORTED", Response.Status.BAD_REQUEST, "param"),
    PROCEDURE_TIMEOUT(null, "PROCEDURE_TIMEOUT", Response.Status.GATEWAY_TIMEOUT, "param"),
    /** Bearer token missing, malformed, of another realm, tampered, expired or revoked. */
    UNAUTHORIZED(null, "UNAUTHORIZED", Response.Status.UNAUTHORIZED, null),
    /** The token's client is not enabled for plugin token access. */
    CLIENT_NOT_ENABLED(null, "CLIENT_NOT_ENABLED", Response.Status.FORBIDDEN, "param"),
    /** Unknown scope, mixed audiences, another environment (the URN scope rules). */
    SCOPE_INVALID(null, "SCOPE_INVALID", Response.Status.BAD_REQUEST, "param"),
    /** A declared scope that is not among the plugin client's default or optional client scopes. */
    SCOPE_NOT_ALLOWED(null, "SCOPE_NOT_ALLOWED", Response.Status.FORBIDDEN, "param"),
    /** getAccessToken: no application of that key is registered for the plugin client (Field Service's name). */
    WRONG_APPLICATION_KEY(null, "WRONG_APPLICATION_KEY", Response.Status.BAD_REQUEST, "param"),
    /**
     * getAccessToken: the application's type is not one getAccessToken serves (Field Service's name); here
     * oauth_client_credentials, whose token needs a client secret a browser must not hold.
     */
    APPLICATION_NOT_CONFIGURED(null, "APPLICATION_NOT_CONFIGURED", Response.Status.BAD_REQUEST, "param");

    private final String type;
    private final String code;
    private final Response.Status status;
    private final String field;

    PluginError(String type, String code, Response.Status status, String field) {
        this.type = type;
        this.code = code;
        this.status = status;
        this.field = field;
    }

    /** A token-procedure error: its names depend on whether the plugin client is a native app. */
    boolean ofTokenProcedure() {
        return type == null;
    }

    String type(boolean nativeApp) {
        if (!ofTokenProcedure()) {
            return type;
        }
        return nativeApp ? "TYPE_PROCEDURE_GET_ACCESS_TOKEN_NATIVE_ERROR" : "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR";
    }

    String code(boolean nativeApp) {
        if (!ofTokenProcedure()) {
            return code;
        }
        return (nativeApp ? "CODE_GET_ACCESS_TOKEN_NATIVE_" : "CODE_GET_ACCESS_TOKEN_") + code;
    }

    Response.Status status() {
        return status;
    }

    /**
     * The extra field the error carries: {@code "procedure"}, or {@code "param"} (the call's parameter under its
     * own name: {@code scope}, {@code applicationKey}), or null.
     */
    String field() {
        return field;
    }
}
