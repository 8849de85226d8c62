package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static dev.kcintegrations.plugin.PluginCalls.PLUGIN;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static dev.kcintegrations.plugin.PluginCalls.REALM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A token derived from a user's session never outlives it (Keycloak's own exchange once had a CVE for
 * exactly that). The realm's SSO Session Max is lowered to 1800 s for these tests, below the 3600 s a
 * plugin token and the requester's exchanged token would otherwise live.
 */
@KeycloakIntegrationTest
class SessionBoundTokensIT {

    private static final int SESSION_MAX = 1800;
    private static final String INTEGRATION = "field-service-integration";

    private int originalSessionMax;
    private String originalLifespan;

    @BeforeEach
    void shortenSessions(Keycloak keycloak) {
        JsonNode realm = keycloak.admin().get("/" + REALM);
        originalSessionMax = realm.get("ssoSessionMaxLifespan").asInt();
        keycloak.admin().put("/" + REALM, keycloak.admin().object().put("ssoSessionMaxLifespan", SESSION_MAX));
        originalLifespan = setIntegrationLifespan(keycloak, "3600");
    }

    @AfterEach
    void restoreSessions(Keycloak keycloak) {
        keycloak.admin().put("/" + REALM, keycloak.admin().object().put("ssoSessionMaxLifespan", originalSessionMax));
        setIntegrationLifespan(keycloak, originalLifespan);
    }

    /** @return the previous value */
    private static String setIntegrationLifespan(Keycloak keycloak, String lifespan) {
        String uuid = keycloak.admin().clientUuid(REALM, INTEGRATION);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        ObjectNode attributes = (ObjectNode) client.get("attributes");
        String previous = attributes.path("access.token.lifespan").isMissingNode() ? null : attributes.get("access.token.lifespan").asText();
        // empty means the realm's default to Keycloak (TokenManager), as when the attribute was never set
        attributes.put("access.token.lifespan", lifespan == null ? "" : lifespan);
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        return previous;
    }

    private static long sessionEnd(JsonNode userClaims) {
        // a fresh password sign-in: the session started at the token's iat (auth_time where present)
        long started = userClaims.has("auth_time") ? userClaims.get("auth_time").asLong() : userClaims.get("iat").asLong();
        return started + SESSION_MAX;
    }

    @Test
    void pluginTokenExpiresWithTheUsersSession(Keycloak keycloak) {
        String user = PluginCalls.userToken(keycloak);
        Http.Reply reply = PluginCalls.post(keycloak, user, PluginCalls.call("s", "\"" + FS + "/use\""));
        JsonNode claims = PluginCalls.claims(reply.json().get("resultData").get("token").asText());
        long exp = claims.get("exp").asLong();
        assertTrue(exp <= sessionEnd(PluginCalls.claims(user)), "exp " + exp + " is after the session's end");
        assertTrue(exp - claims.get("iat").asLong() < 3600, "the 3600 s lifespan was not capped");
    }

    /**
     * The plugin client's own Client Session Max ({@code client.session.max.lifespan}, an override on the
     * client) caps the token as well: 300 s here, below the realm's session limits and the 3600 s lifespan.
     */
    @Test
    void pluginTokenEndsWithThePluginClientsSessionMax(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        ObjectNode attributes = (ObjectNode) client.get("attributes");
        String previous = attributes.path("client.session.max.lifespan").asText("");
        attributes.put("client.session.max.lifespan", "300");
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        try {
            String user = PluginCalls.userToken(keycloak);
            Http.Reply reply = PluginCalls.post(keycloak, user, PluginCalls.call("s", "\"" + FS + "/use\""));
            assertEquals(200, reply.status(), reply.shown());
            JsonNode claims = PluginCalls.claims(reply.json().get("resultData").get("token").asText());
            long lifetime = claims.get("exp").asLong() - claims.get("iat").asLong();
            assertTrue(lifetime <= 300, "lives " + lifetime + " s, past the plugin client's 300 s session");
            assertTrue(lifetime > 200, "lives " + lifetime + " s: capped by the client session, not by something shorter");
        } finally {
            attributes.put("client.session.max.lifespan", previous);
            keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
        }
    }

    @Test
    void exchangedTokenExpiresWithTheSubjectTokensSession(Keycloak keycloak) {
        String user = PluginCalls.userToken(keycloak);
        String basic = "Basic " + Base64.getEncoder().encodeToString((INTEGRATION + ":FieldServiceDemoSecret-01").getBytes());
        Http.Reply reply = Http.post(keycloak.realmUrl(REALM, "/protocol/openid-connect/token"),
                Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"),
                PluginCalls.form(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token", user,
                        "subject_token_type", "urn:ietf:params:oauth:token-type:access_token", "scope", FS + "/use")));
        assertEquals(200, reply.status(), reply.shown());
        JsonNode claims = PluginCalls.claims(reply.json().get("access_token").asText());
        assertTrue(claims.get("exp").asLong() <= sessionEnd(PluginCalls.claims(user)), claims.toString());
        assertTrue(claims.get("exp").asLong() - claims.get("iat").asLong() < 3600, "the requester's 3600 s lifespan was not capped");
    }
}
