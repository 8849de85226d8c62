package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Browser;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.BrowserTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.kcintegrations.plugin.PluginCalls.PLUGIN;
import static dev.kcintegrations.plugin.PluginCalls.FA_ALL;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static dev.kcintegrations.plugin.PluginCalls.REALM;
import static dev.kcintegrations.plugin.PluginCalls.assertError;
import static dev.kcintegrations.plugin.PluginCalls.claims;
import static dev.kcintegrations.plugin.PluginCalls.post;
import static dev.kcintegrations.plugin.PluginCalls.userToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Applications of a plugin client (the "Plugin applications" page; the demo realm registers fs_rest_api,
 * fs_setup_api and external_rest_api for field-service-plugin) and {@code getAccessToken {applicationKey}}: the
 * registered scope, under exactly the rules of getAccessTokenByScope, checked when the token is asked for.
 */
@BrowserTest
class PluginApplicationsIT {

    static final String COMPONENTS = "/" + REALM + "/components";

    static String getAccessToken(String callId, String keyJson) {
        return "{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"" + callId
                + "\",\"procedure\":\"getAccessToken\",\"params\":{\"applicationKey\":" + keyJson + "}}";
    }

    @Test
    void aRegisteredApplicationsTokenIsTheUsersTokenForExactlyItsScope(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), getAccessToken("2222222222", "\"fs_rest_api\""));
        assertEquals(200, reply.status(), reply.shown());
        JsonNode json = reply.json();
        assertEquals("callProcedureResult", json.get("method").asText());
        assertEquals("2222222222", json.get("callId").asText());
        assertEquals("getAccessToken", json.get("procedure").asText());
        assertEquals("success", json.at("/resultData/status").asText());
        JsonNode claims = claims(json.at("/resultData/token").asText());
        assertEquals(FS, claims.get("aud").asText(), "exactly the application's audience: " + claims);
        assertEquals(FS + "/use", claims.get("scope").asText());
        assertEquals(PLUGIN, claims.get("azp").asText());
        assertEquals(keycloak.admin().get("/" + REALM + "/users?username=technician&exact=true").get(0).get("id").asText(),
                claims.get("sub").asText(), "bound to the signed-in user");
        assertEquals(3600, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertTrue(claims.hasNonNull("sid"), "bound to the user's session: " + claims);
    }

    @Test
    void anUnregisteredKeyIsTheVendorsWrongApplicationKey(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), getAccessToken("k", "\"no_such_application\""));
        assertError(reply, 400, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_WRONG_APPLICATION_KEY");
        assertEquals("no_such_application", reply.json().at("/errors/0/applicationKey").asText(), reply.shown());
        assertEquals("getAccessToken", reply.json().at("/errors/0/procedure").asText());
        assertFalse(reply.json().at("/errors/0").has("scope"), reply.shown());
    }

    /** oauth_client_credentials needs a client secret: never in a browser, so never issued here. */
    @Test
    void aClientCredentialsApplicationIsRefusedAsNotConfigured(Keycloak keycloak) {
        Http.Reply reply = post(keycloak, userToken(keycloak), getAccessToken("c", "\"external_rest_api\""));
        assertError(reply, 400, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_APPLICATION_NOT_CONFIGURED");
        assertFalse(reply.body().contains("\"token\""), reply.shown());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\"", "42", "true", "{}", "[\"fs_rest_api\"]"})
    void anApplicationKeyThatIsNotANonEmptyStringIsParamValueInvalid(String keyJson, Keycloak keycloak) throws Exception {
        Http.Reply reply = post(keycloak, userToken(keycloak), getAccessToken("p", keyJson));
        assertError(reply, 400, "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
        assertEquals(Http.JSON.readTree(keyJson), reply.json().at("/errors/0/applicationKey"), "the key as sent: " + reply.body());
    }

    /**
     * The attacker holds a valid token of another plugin client of the realm: field-service-plugin's applications
     * are not its own, whatever key it names.
     */
    @Test
    void anotherPluginClientCannotUseThisClientsApplications(Keycloak keycloak) {
        try (PluginCalls.PluginClient other = PluginCalls.PluginClient.create(keycloak, true, false)) {
            String token = PluginCalls.signIn(keycloak, other.clientId(), "openid").get("access_token").asText();
            assertError(post(keycloak, token, getAccessToken("o", "\"fs_rest_api\"")), 400,
                    "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_WRONG_APPLICATION_KEY");
        }
    }

    /**
     * Registration checked the scope; the token request checks it again: once an administrator takes /setup away from
     * the plugin client, fs_setup_api (registered while it was allowed) gets the vendor's refusal, not a token.
     */
    @Test
    void aScopeTheClientMayNoLongerUseIsRefusedWhenTheTokenIsAskedFor(Keycloak keycloak) {
        assertEquals(200, post(keycloak, userToken(keycloak), getAccessToken("s1", "\"fs_setup_api\"")).status(), "allowed at first");
        String client = keycloak.admin().clientUuid(REALM, PLUGIN);
        String setup = PluginCalls.scopeId(keycloak, FS + "/setup");
        keycloak.admin().delete("/" + REALM + "/clients/" + client + "/optional-client-scopes/" + setup);
        try {
            Http.Reply reply = post(keycloak, userToken(keycloak), getAccessToken("s2", "\"fs_setup_api\""));
            assertError(reply, 403, "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED");
            assertEquals("fs_setup_api", reply.json().at("/errors/0/applicationKey").asText(), reply.shown());
        } finally {
            keycloak.admin().put("/" + REALM + "/clients/" + client + "/optional-client-scopes/" + setup, null);
        }
    }

    /** The host bridge's settings carry the applications as a plugin gets them in init: no scopes, the server keeps those. */
    @Test
    void theHostSettingsListTheClientsApplicationsInTheOrderOfTheirKeys(Keycloak keycloak) {
        Http.Reply settings = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host"), Map.of("Authorization", "Bearer " + userToken(keycloak)));
        assertEquals(200, settings.status(), settings.shown());
        JsonNode applications = settings.json().get("applications");
        List<String> keys = new ArrayList<>();
        applications.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("external_rest_api", "fs_rest_api", "fs_setup_api"), keys);
        assertEquals("ofs", applications.at("/fs_rest_api/type").asText());
        assertEquals("https://localhost:8444", applications.at("/fs_rest_api/resourceUrl").asText());
        assertEquals("oauth_client_credentials", applications.at("/external_rest_api/type").asText());
        assertFalse(settings.body().contains("urn:opc:resource"), "no scopes in the browser's settings: " + settings.body());
    }

    /** What an administrator saves is checked: each mistake is a 400 that says which, and nothing is stored. */
    @Test
    void registeringChecksClientKeyTypeUrlAndScope(Keycloak keycloak) {
        Map<String, ObjectNode> mistakes = Map.of(
                "client must be", entry("no-such-client", "k1", "ofs", "", FS + "/use"),
                "applicationKey must be", entry(PLUGIN, "has space", "ofs", "", FS + "/use"),
                "is registered for", entry(PLUGIN, "fs_rest_api", "ofs", "", FS + "/use"),
                "type must be one of", entry(PLUGIN, "k2", "oauth_password", "", FS + "/use"),
                "resourceUrl must be an absolute https URL", entry(PLUGIN, "k3", "ofs", "http://fs.example.com", FS + "/use"),
                "resourceUrl must be an absolute", entry(PLUGIN, "k4", "oauth_user_assertion", "", FS + "/use"),
                "is not a default or optional client scope", entry(PLUGIN, "k5", "ofs", "", FA_ALL),
                "URN scopes", entry(PLUGIN, "k6", "ofs", "", "profile"),
                "different audiences", entry(PLUGIN, "k7", "ofs", "", FS + "/use " + FA_ALL),
                "unknown field clientSecret", withSecret(entry(PLUGIN, "k8", "oauth_client_credentials", "https://x.example.com", FS + "/use")));
        mistakes.forEach((expected, body) -> {
            Http.Reply reply = keycloak.admin().call("POST", COMPONENTS, body);
            assertEquals(400, reply.status(), body + " -> " + reply.body());
            assertTrue(reply.body().contains(expected), "says " + expected + ": " + reply.body());
        });
        Http.Reply digits = keycloak.admin().call("POST", COMPONENTS, entry(PLUGIN, "2fa", "ofs", "", FS + "/use"));
        assertEquals(400, digits.status(), "JavaScript would order an integer-like key first: " + digits.body());
        assertTrue(digits.body().contains("starting with a letter"), digits.body());
        Http.Reply saved = keycloak.admin().call("POST", COMPONENTS, entry(PLUGIN, "fs_view_api", "ofs", "", FS + "/view"));
        assertEquals(201, saved.status(), saved.shown());
        String id = saved.header("Location").orElseThrow().replaceAll(".*/", "");
        try {
            JsonNode settings = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host"), Map.of("Authorization", "Bearer " + userToken(keycloak))).json();
            assertEquals("https://demo01.fs.ocs.oraclecloud.com", settings.at("/applications/fs_view_api/resourceUrl").asText(),
                    "an ofs application without a URL is the realm's Field Service URL");
            JsonNode token = post(keycloak, userToken(keycloak), getAccessToken("v", "\"fs_view_api\"")).json();
            assertEquals(FS + "/view", claims(token.at("/resultData/token").asText()).get("scope").asText());
        } finally {
            keycloak.admin().delete(COMPONENTS + "/" + id);
        }
    }

    /** An administrator sees the registered applications on their page of the admin console (Chromium). */
    @Test
    void theAdminConsoleListsThemOnThePluginApplicationsPage(Keycloak keycloak) {
        JsonNode page;
        try (Browser admin = Browser.open(keycloak.baseUrl(), "console-steps.mjs",
                "plugin-applications")) {
            page = admin.step("pluginApplications", Map.of("username", "admin", "password", "admin", "realm", REALM));
        }
        assertEquals("Plugin applications", page.get("title").asText(), page.toString());
        String rows = page.get("rows").toString();
        for (String key : List.of("fs_rest_api", "fs_setup_api", "external_rest_api")) {
            assertTrue(rows.contains(key), key + " listed: " + rows);
        }
        assertTrue(rows.contains("oauth_client_credentials") && rows.contains(FS + "/use"), "type and scope columns: " + rows);
    }

    /** An administrator registers one with the page's form (type ofs by default, no URL: the realm's fsUrl). */
    @Test
    void anAdministratorRegistersOneWithThePagesForm(Keycloak keycloak) {
        JsonNode saved;
        try (Browser admin = Browser.open(keycloak.baseUrl(), "console-steps.mjs",
                "plugin-application-form")) {
            saved = admin.step("registerPluginApplication", Map.of("username", "admin", "password", "admin", "realm", REALM,
                    "key", "fs_console_api", "scope", FS + "/view"));
        }
        try {
            assertFalse(saved.get("alert").asText().toLowerCase(Locale.ROOT).contains("error"), "the console said: " + saved);
            JsonNode settings = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host"), Map.of("Authorization", "Bearer " + userToken(keycloak))).json();
            assertEquals("ofs", settings.at("/applications/fs_console_api/type").asText(), saved + " " + settings);
            JsonNode token = post(keycloak, userToken(keycloak), getAccessToken("f", "\"fs_console_api\"")).json();
            assertEquals(FS + "/view", claims(token.at("/resultData/token").asText()).get("scope").asText());
        } finally {
            for (JsonNode component : keycloak.admin().get(COMPONENTS + AdminApi.UI_PAGES)) {
                if ("fs_console_api".equals(component.at("/config/applicationKey/0").asText())) {
                    keycloak.admin().delete(COMPONENTS + "/" + component.get("id").asText());
                }
            }
        }
    }

    static ObjectNode entry(String client, String key, String type, String url, String scope) {
        ObjectNode entry = Http.JSON.createObjectNode();
        entry.put("name", client + " " + key).put("providerId", "plugin-applications").put("providerType", "org.keycloak.services.ui.extend.UiPageProvider");
        ObjectNode config = entry.putObject("config");
        config.putArray("client").add(client);
        config.putArray("applicationKey").add(key);
        config.putArray("type").add(type);
        config.putArray("resourceUrl").add(url);
        config.putArray("scope").add(scope);
        return entry;
    }

    /** A setting this server does not know is refused, not stored unread: here, the secret a browser must never get. */
    private static ObjectNode withSecret(ObjectNode entry) {
        ((ObjectNode) entry.get("config")).putArray("clientSecret").add("s3cret");
        return entry;
    }

}
