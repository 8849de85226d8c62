package dev.kcintegrations.plugin;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The token procedures as plugins send them: each with its one parameter, which refusals carry back. */
class ProcedureCallTest {

    private static ProcedureCall parse(String json) {
        return ProcedureCall.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ProcedureCall.Refused refused(String json) {
        return assertThrows(ProcedureCall.Refused.class, () -> parse(json));
    }

    @Test
    void getAccessTokenByScopeTakesAScope() {
        ProcedureCall call = parse("{\"method\":\"callProcedure\",\"callId\":\"1\",\"procedure\":\"getAccessTokenByScope\",\"params\":{\"sco"
                + "pe\":\"urn:x/use\"}}");
        assertEquals(ProcedureCall.Procedure.GET_ACCESS_TOKEN_BY_SCOPE, call.procedure());
        assertEquals("urn:x/use", call.value());
        assertEquals("scope", call.param().name());
    }

    @Test
    void getAccessTokenTakesAnApplicationKey() {
        ProcedureCall call = parse("{\"method\":\"callProcedure\",\"callId\":\"2\",\"procedure\":\"getAccessToken\",\"params\":{\"applicatio"
                + "nKey\":\"fs_rest_api\"}}");
        assertEquals(ProcedureCall.Procedure.GET_ACCESS_TOKEN, call.procedure());
        assertEquals("fs_rest_api", call.value());
        assertEquals("applicationKey", call.param().name());
    }

    /** The other procedure's parameter does not count: getAccessToken with a scope names no application. */
    @Test
    void eachProcedureReadsOnlyItsOwnParameter() {
        ProcedureCall.Refused refusal = refused("{\"method\":\"callProcedure\",\"procedure\":\"getAccessToken\",\"params\":{\"scope\":\"urn:x/use\"}}");
        assertEquals(PluginError.PARAM_VALUE_INVALID, refusal.failure.error());
        assertEquals("applicationKey", refusal.param.name());
        assertNull(refusal.param.value(), "absent, so nothing to echo");
    }

    @Test
    void aWrongValueIsEchoedAsSent() {
        ProcedureCall.Refused refusal = refused("{\"method\":\"callProcedure\",\"procedure\":\"getAccessToken\",\"params\":{\"applicationKey\":42}}");
        assertEquals(42, refusal.param.value().asInt());
    }

    @Test
    void otherProceduresAndMethodsAreRefusedWithTheirNames() {
        assertEquals(PluginError.PROCEDURE_UNKNOWN, refused("{\"method\":\"callProcedure\",\"procedure\":\"openLink\"}").failure.error());
        assertEquals("openLink", refused("{\"method\":\"callProcedure\",\"procedure\":\"openLink\"}").procedure);
        assertEquals(PluginError.METHOD_NOT_SUPPORTED, refused("{\"method\":\"close\"}").failure.error());
        assertEquals(PluginError.JSON_INVALID, refused("[1]").failure.error());
    }
}
