package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kcintegrations.plugin.PluginCalls.PLUGIN;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static dev.kcintegrations.plugin.PluginCalls.REALM;
import static dev.kcintegrations.plugin.PluginCalls.assertError;
import static dev.kcintegrations.plugin.PluginCalls.call;
import static dev.kcintegrations.plugin.PluginCalls.claims;
import static dev.kcintegrations.plugin.PluginCalls.post;
import static dev.kcintegrations.plugin.PluginCalls.userToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plugin token is issued for one resource and one use: it cannot be presented again to mint another (or a
 * wider) one, it ends with the sessions it came from, and it never names a scope Keycloak did not grant.
 */
@KeycloakIntegrationTest
class PluginTokenAbuseIT {

    static final String UNAUTHORIZED = "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED";
    static final String NOT_ALLOWED = "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED";
    static final String TOKEN_ERROR = "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR";

    static String pluginToken(Keycloak keycloak, String bearer, String scope) {
        Http.Reply reply = post(keycloak, bearer, call("c", "\"" + scope + "\""));
        assertEquals(200, reply.status(), reply.shown());
        return reply.json().get("resultData").get("token").asText();
    }

    @Test
    void pluginTokenIsNotAcceptedAsBearerForAWiderScope(Keycloak keycloak) {
        String view = pluginToken(keycloak, userToken(keycloak), FS + "/view");
        assertError(post(keycloak, view, call("w", "\"" + FS + "/setup\"")), 401, TOKEN_ERROR, UNAUTHORIZED);
    }

    @Test
    void pluginTokenIsNotAcceptedAsBearerEvenForItsOwnScope(Keycloak keycloak) {
        String use = pluginToken(keycloak, userToken(keycloak), FS + "/use");
        assertError(post(keycloak, use, call("r", "\"" + FS + "/use\"")), 401, TOKEN_ERROR, UNAUTHORIZED);
    }

    @Test
    void signInTokenOfTheUserStillWorksAfterItsPluginTokensWereRefused(Keycloak keycloak) {
        String user = userToken(keycloak);
        String view = pluginToken(keycloak, user, FS + "/view");
        post(keycloak, view, call("w", "\"" + FS + "/setup\""));
        assertEquals(FS + "/setup", claims(pluginToken(keycloak, user, FS + "/setup")).get("scope").asText());
    }

    @Test
    void pluginTokenEndsWithTheUserSessionsIdleTimeout(Keycloak keycloak) {
        JsonNode realm = keycloak.admin().get("/" + REALM);
        int idle = realm.get("ssoSessionIdleTimeout").asInt();
        keycloak.admin().put("/" + REALM, keycloak.admin().object().put("ssoSessionIdleTimeout", 600));
        try {
            String user = userToken(keycloak);
            JsonNode token = claims(pluginToken(keycloak, user, FS + "/use"));
            long signedIn = claims(user).get("iat").asLong();
            assertTrue(token.get("exp").asLong() <= signedIn + 600, "exp " + token.get("exp") + " outlives the idle session");
        } finally {
            keycloak.admin().put("/" + REALM, keycloak.admin().object().put("ssoSessionIdleTimeout", idle));
        }
    }

    @Test
    void pluginTokenEndsWithTheClientSessionsIdleTimeout(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        ((ObjectNode) client.get("attributes")).put("client.session.idle.timeout", "300");
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        try {
            String user = userToken(keycloak);
            JsonNode token = claims(pluginToken(keycloak, user, FS + "/use"));
            assertTrue(token.get("exp").asLong() <= claims(user).get("iat").asLong() + 300, token.toString());
        } finally {
            ((ObjectNode) client.get("attributes")).put("client.session.idle.timeout", "");
            keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        }
    }

    @Test
    void scopeRestrictedToARoleTheUserLacksIsRefusedNotListed(Keycloak keycloak) {
        String role = "fs-setup-" + Long.toHexString(System.nanoTime());
        keycloak.admin().create("/" + REALM + "/roles", keycloak.admin().object().put("name", role));
        JsonNode roleRep = keycloak.admin().get("/" + REALM + "/roles/" + role);
        String scopeId = clientScopeId(keycloak, FS + "/setup");
        String mappings = "/" + REALM + "/client-scopes/" + scopeId + "/scope-mappings/realm";
        keycloak.admin().call("POST", mappings, List.of(roleRep));
        try {
            assertError(post(keycloak, userToken(keycloak), call("s", "\"" + FS + "/setup\"")), 403, TOKEN_ERROR, NOT_ALLOWED);
        } finally {
            keycloak.admin().call("DELETE", mappings, List.of(roleRep));
            keycloak.admin().delete("/" + REALM + "/roles/" + role);
        }
    }

    @Test
    void scopeTheUserHasNotConsentedToIsRefused(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        String user = userToken(keycloak); // signed in before consent was required: nothing was consented to
        client.put("consentRequired", true);
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        try {
            assertError(post(keycloak, user, call("s", "\"" + FS + "/use\"")), 403, TOKEN_ERROR, NOT_ALLOWED);
        } finally {
            client.put("consentRequired", false);
            keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        }
    }

    static String clientScopeId(Keycloak keycloak, String name) {
        for (JsonNode scope : keycloak.admin().get("/" + REALM + "/client-scopes")) {
            if (scope.get("name").asText().equals(name)) {
                return scope.get("id").asText();
            }
        }
        throw new AssertionError("no client scope " + name);
    }
}
