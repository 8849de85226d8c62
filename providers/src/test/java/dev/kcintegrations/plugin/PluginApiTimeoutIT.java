package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Browser;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kcintegrations.plugin.PluginCalls.STEPS;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the timeout option set to 0 ms, no token can be issued in time: the plugin gets
 * PROCEDURE_TIMEOUT (504) instead of a token. Runs on its own server, started with that option.
 */
@OwnServerTest
class PluginApiTimeoutIT {

    private static KeycloakServer server;
    private static Keycloak keycloak;

    @BeforeAll
    static void startServerWithATinyTimeout() {
        server = KeycloakServers.startDistribution("plugin-timeout",
                List.of("--spi-realm-restapi-extension--plugin-api--timeout=0"));
        keycloak = new Keycloak(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** The bridge relays the timeout to a plugin in the browser as the same envelope, its call id echoed. */
    @Test
    void aPluginInTheBrowserIsToldTheProcedureTimedOut() {
        JsonNode run;
        try (Browser browser = Browser.open(keycloak.httpsUrl(), STEPS, "plugin-host-timeout")) {
            run = browser.step("pluginAsksOnce", PluginCalls.registerHttpsDemo(keycloak));
        }
        JsonNode timedOut = PluginCalls.assertBridgeError(run.get("use").get(0).get("received"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR",
                "CODE_GET_ACCESS_TOKEN_PROCEDURE_TIMEOUT");
        assertEquals(FS + "/use", timedOut.at("/errors/0/scope").asText());
        assertTrue(timedOut.get("callId").asText().startsWith("call-"), timedOut.toString());
    }

    @Test
    void issuingPastTheTimeoutAnswersProcedureTimeoutWithTheScope() {
        String scope = FS + "/use";
        var reply = PluginCalls.post(keycloak, PluginCalls.userToken(keycloak), PluginCalls.call("slow", "\"" + scope + "\""));
        PluginCalls.assertError(reply, 504, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_PROCEDURE_TIMEOUT");
        assertEquals(scope, reply.json().get("errors").get(0).get("scope").asText());
        assertEquals("slow", reply.json().get("callId").asText());
    }
}
