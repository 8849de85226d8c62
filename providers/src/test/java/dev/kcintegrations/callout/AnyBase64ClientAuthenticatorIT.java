package dev.kcintegrations.callout;

import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The same Basic decoding on Keycloak's standard token endpoint, for clients whose administrator picks it. */
@KeycloakIntegrationTest
class AnyBase64ClientAuthenticatorIT {

    private static final String FORM = "application/x-www-form-urlencoded";

    private static URI standardEndpoint(Keycloak keycloak) {
        return keycloak.realmUrl(DemoRealm.REALM, "/protocol/openid-connect/token");
    }

    private static Http.Reply standard(Keycloak keycloak, String authorization, String body) {
        return Http.post(standardEndpoint(keycloak), Map.of("Authorization", authorization, "Content-Type", FORM), body);
    }

    @Test
    void urlSafeBasicGetsATokenFromTheStandardEndpoint(Keycloak keycloak) {
        Http.Reply reply = standard(keycloak, CalloutRequests.demoBasic(), "grant_type=client_credentials");
        assertEquals(200, reply.status(), reply.shown());
    }

    @Test
    void standardBasicStillGetsATokenFromTheStandardEndpoint(Keycloak keycloak) {
        Http.Reply reply = standard(keycloak, CalloutRequests.standardBasic(DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET),
                "grant_type=client_credentials");
        assertEquals(200, reply.status(), reply.shown());
    }

    @Test
    void secretInTheFormBodyGetsATokenFromTheStandardEndpoint(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "std-post", "post-secret")) {
            Http.Reply reply = Http.post(standardEndpoint(keycloak), Map.of("Content-Type", FORM),
                    "grant_type=client_credentials&client_id=" + client.clientId + "&client_secret=" + client.secret);
            assertEquals(200, reply.status(), reply.shown());
        }
    }

    @Test
    void wrongSecretIsRefusedByTheStandardEndpoint(Keycloak keycloak) {
        Http.Reply reply = standard(keycloak, CalloutRequests.urlSafeBasic(DemoRealm.COUPA_CLIENT, "wrong"), "grant_type=client_credentials");
        assertEquals(401, reply.status(), reply.shown());
    }

    @Test
    void malformedBasicOnTheStandardEndpointIs401InvalidClient(Keycloak keycloak) {
        Http.Reply reply = standard(keycloak, "Basic %%%", "grant_type=client_credentials");
        assertEquals(401, reply.status(), reply.shown());
        assertEquals("invalid_client", reply.json().get("error").asText(), reply.shown());
        // No WWW-Authenticate here: Keycloak's ClientAuthenticationFlow returns an authenticator's challenge only
        // once a client is identified, and no client can be read from "%%%". oauth-compat/token sends one.
        assertTrue(reply.header("www-authenticate").isEmpty(), reply.headers().toString());
    }

    /** The measured reason for this project: stock client-secret authentication refuses the callout client. */
    @Test
    void stockClientSecretAuthenticationRefusesUrlSafeBasic(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "stock", DemoRealm.COUPA_SECRET,
                rep -> rep.put("clientAuthenticatorType", "client-secret"))) {
            assertNotEquals(CalloutRequests.standardBasic(client.clientId, client.secret),
                    CalloutRequests.urlSafeBasic(client.clientId, client.secret));
            Http.Reply urlSafe = standard(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret), "grant_type=client_credentials");
            Http.Reply standardAlphabet = standard(keycloak, CalloutRequests.standardBasic(client.clientId, client.secret),
                    "grant_type=client_credentials");
            assertEquals(401, urlSafe.status(), urlSafe.shown());
            assertEquals(200, standardAlphabet.status(), standardAlphabet.shown());
        }
    }

    @Test
    void oauthCompatAcceptsAStockClientSecretClientToo(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "stock-compat", DemoRealm.COUPA_SECRET,
                rep -> rep.put("clientAuthenticatorType", "client-secret"))) {
            Http.Reply reply = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, client.secret),
                    CalloutRequests.FORM, "grant_type=client_credentials");
            assertEquals(200, reply.status(), reply.shown());
        }
    }
}
