package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Browser;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.BrowserTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import static dev.kcintegrations.plugin.PluginCalls.assertBridgeError;
import static dev.kcintegrations.plugin.PluginCalls.STEPS;
import static dev.kcintegrations.plugin.PluginCalls.PLUGIN;
import static dev.kcintegrations.plugin.PluginCalls.FA_ALL;
import static dev.kcintegrations.plugin.PluginCalls.FS;
import static dev.kcintegrations.plugin.PluginCalls.REALM;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unchanged Field Service plugin, embedded by a host page through {@code plugin-api/host.js}, over HTTPS in
 * Debian's chromium: the technician signs in through the host, the plugin (served from another origin) gets
 * {@code init} and {@code open} with the realm's Environment, tokens and the exact error envelopes by
 * {@code postMessage}; frames that are not the plugin get nothing. Screenshots: {@code target/screenshots/plugin-host/}.
 */
@BrowserTest
class PluginHostIT {

    /** The demo's plugin origins, put back after the class: its tests point them at this server's HTTPS port. */
    private static String demoPluginOrigins;

    @BeforeAll
    static void noteThePluginOrigins(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        demoPluginOrigins = keycloak.admin().get("/" + REALM + "/clients/" + uuid).path("attributes").path("plugin.origins").asText("");
    }

    @AfterAll
    static void putThePluginOriginsBack(Keycloak keycloak) {
        setPluginOrigins(keycloak, demoPluginOrigins);
    }

    @Test
    void aTechnicianUsesAnUnchangedPluginThroughTheHostBridge(Keycloak keycloak) throws Exception {
        JsonNode run = inBrowser(keycloak, "plugin-host", "technicianUsesThePlugin");
        assertEquals("technician", run.get("user").asText());
        List<JsonNode> opening = received(run.get("opening"));
        assertEquals(List.of("init", "open"), opening.stream().map(m -> m.get("method").asText()).toList(), "init (asked for), then open");
        JsonNode open = opening.get(1);
        assertEquals("demo01", open.at("/environment/environmentName").asText());
        assertEquals("https://demo01.fs.ocs.oraclecloud.com", open.at("/environment/fsUrl").asText());
        assertEquals("https://demo01.fa.ocs.oraclecloud.com", open.at("/environment/faUrl").asText());
        assertEquals("4225274", open.at("/activity/aid").asText(), "the host's openData");
        assertTrue(run.get("opening").get(0).get("asString").asBoolean(), "answered as JSON strings, as this plugin did not ask for objects");

        JsonNode use = only(run, "use");
        assertEquals("callProcedureResult", use.get("method").asText(), use.toString());
        assertEquals("getAccessTokenByScope", use.get("procedure").asText());
        assertEquals("success", use.at("/resultData/status").asText());
        JWTClaimsSet claims = verified(keycloak, use.at("/resultData/token").asText());
        assertEquals(List.of(FS), claims.getAudience());
        assertEquals(keycloak.admin().get("/" + REALM + "/users?username=technician&exact=true").get(0).get("id").asText(), claims.getSubject());
        assertEquals(PLUGIN, claims.getStringClaim("azp"));
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);

        JsonNode app = only(run, "app");
        assertEquals("callProcedureResult", app.get("method").asText(), app.toString());
        assertEquals("getAccessToken", app.get("procedure").asText());
        JWTClaimsSet appClaims = verified(keycloak, app.at("/resultData/token").asText());
        assertEquals(List.of(FS), appClaims.getAudience(), "fs_rest_api's registered scope decides the audience");
        assertEquals(FS + "/use", appClaims.getClaim("scope"));
        assertEquals(claims.getSubject(), appClaims.getSubject());

        JsonNode mixed = assertBridgeError(only(run, "mixed"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_INVALID");
        assertEquals(FS + "/use " + FA_ALL, mixed.at("/errors/0/scope").asText(), mixed.toString());
        assertEquals("getAccessTokenByScope", mixed.at("/errors/0/procedure").asText());
        assertTrue(mixed.get("callId").asText().startsWith("call-"), mixed.toString());
        JsonNode notGiven = assertBridgeError(only(run, "notGiven"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED");
        assertEquals(FA_ALL, notGiven.at("/errors/0/scope").asText(), "the server's refusal, not hidden: " + notGiven);
        JsonNode unknown = assertBridgeError(only(run, "unknown"), "TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_UNKNOWN");
        assertEquals("getWeather", unknown.at("/errors/0/procedure").asText());
        JsonNode malformed = assertBridgeError(only(run, "malformed"), "TYPE_INTERNAL", "CODE_JSON_INVALID");
        assertTrue(malformed.get("callId").isNull(), "an unreadable message has no callId to echo, as plugin-api answers it");
        assertEquals("dance-1", assertBridgeError(only(run, "method"), "TYPE_INTERNAL", "CODE_METHOD_NOT_SUPPORTED").get("callId").asText());

        // Three calls in flight at once (/use, /view, /use): each answer names its call and carries that call's scope.
        List<JsonNode> several = received(run.at("/answers/several"));
        assertEquals(3, several.size());
        Map<String, String> askedFor = new HashMap<>();
        run.get("everythingSent").forEach(m -> {
            if (m.at("/params/scope").isTextual()) {
                askedFor.put(m.get("callId").asText(), m.at("/params/scope").asText());
            }
        });
        for (JsonNode answer : several) {
            String asked = askedFor.get(answer.get("callId").asText());
            assertNotNull(asked, "an answer to a call that was made: " + answer.get("callId"));
            assertEquals(asked, verified(keycloak, answer.at("/resultData/token").asText()).getClaim("scope"), "the token of that call's scope");
        }
        assertEquals(3, several.stream().map(m -> m.get("callId").asText()).distinct().count(), several.toString());

        assertEquals("updateResult", only(run, "update").get("method").asText());
        List<String> hostLog = strings(run.get("hostLog"));
        assertTrue(hostLog.contains("update: {\"aid\":\"4225274\",\"astatus\":\"started\"}"), hostLog.toString());
        assertTrue(hostLog.contains("closed: {\"aid\":\"4225274\",\"astatus\":\"completed\"}"), "the host awaited close: " + hostLog);

        // What the foreign frames asked was not acted on: the plugin got no answer to their call, and one open only.
        List<JsonNode> everything = new ArrayList<>();
        run.get("everything").forEach(everything::add);
        assertTrue(everything.stream().noneMatch(m -> "foreign-1".equals(m.path("callId").asText())), "no answer to the foreign call: " + everything);
        assertEquals(1, everything.stream().filter(m -> "open".equals(m.path("method").asText())).count(), "one open: " + everything);
        assertEquals(2, run.get("foreign").size(), run.toString());
        for (JsonNode frame : run.get("foreign")) {
            assertTrue(frame.isArray() && frame.isEmpty(), "a frame that is not the plugin gets nothing, and no token: " + frame);
        }
    }

    /**
     * A plugin built on Oracle's {@code @ofs-users/plugin} 1.6.0 (bundled unchanged), hosted by the Field Service
     * stand-in: the library reads {@code init.applications}, asks {@code getAccessToken} for the ofs one at open,
     * builds {@code this.proxy} and calls the REST API with it; the stand-in verifies the token against the realm's
     * JWKS. The vendor's refusals reach the library's own {@code error()}; close hands the next screen to the host.
     */
    @Test
    void aPluginBuiltOnTheVendorLibraryGetsItsProxyAndCallsTheApi(Keycloak keycloak) throws Exception {
        Map<String, Object> demo = PluginCalls.registerHttpsDemo(keycloak);
        String issuer = "https://localhost:" + keycloak.httpsUrl().getPort() + "/realms/" + REALM;
        String client = keycloak.admin().clientUuid(REALM, PLUGIN);
        String setup = PluginCalls.scopeId(keycloak, FS + "/setup");
        try (FieldServiceStandIn standIn = FieldServiceStandIn.start(issuer,
                keycloak.realmUrl(REALM, "/protocol/openid-connect/certs").toString(), FS);
             Browser browser = Browser.open(keycloak.httpsUrl(), STEPS, "plugin-host-library")) {
            setPluginOrigins(keycloak, demo.get("pluginOrigin") + " " + standIn.origin());
            String fsRestApi = setResourceUrl(keycloak, "fs_rest_api", standIn.origin());
            // fs_setup_api was registered while /setup was the client's; an administrator has taken it away since.
            keycloak.admin().delete("/" + REALM + "/clients/" + client + "/optional-client-scopes/" + setup);
            JsonNode run;
            try {
                run = browser.step("libraryPluginUsesItsProxy", Map.of("hostUrl", demo.get("hostUrl"), "pluginPage", standIn.pluginPage(),
                        "username", "technician", "password", "technician"));
            } finally {
                keycloak.admin().put("/" + REALM + "/clients/" + client + "/optional-client-scopes/" + setup, null);
                setResourceUrl(keycloak, fsRestApi, "https://localhost:8444");
            }

            JsonNode proxyCall = run.get("proxyCall");
            assertEquals(200, proxyCall.get("status").asInt(), "this.proxy's call was answered: " + run);
            assertEquals(standIn.origin() + "/rest/ofscCore/v1/activities/4225274", proxyCall.get("url").asText());
            assertEquals(4225274, proxyCall.at("/data/activityId").asInt(), proxyCall.toString());
            JsonNode verifiedCall = standIn.calls().stream().filter(c -> c.path("path").asText().endsWith("/4225274")).findFirst().orElseThrow();
            assertTrue(verifiedCall.get("verified").asBoolean(), verifiedCall.toString());
            assertEquals(FS, verifiedCall.get("aud").asText(), "the ofs application's token: " + verifiedCall);
            assertEquals(FS + "/use", verifiedCall.get("scope").asText());
            assertEquals(keycloak.admin().get("/" + REALM + "/users?username=technician&exact=true").get(0).get("id").asText(),
                    verifiedCall.get("sub").asText(), "for the signed-in technician");
            double readyToOpen = run.get("readyToOpenMillis").asDouble();
            assertTrue(readyToOpen < 1000, "open came " + readyToOpen + " ms after ready: the library did not wait its 3 s for the proxy");
            JsonNode allowed = run.at("/open/allowedProcedures");
            for (String procedure : List.of("getAccessToken", "getAccessTokenByScope", "openLink", "getFormDrafts")) {
                assertTrue(allowed.path(procedure).asBoolean(), procedure + " in allowedProcedures: " + allowed);
            }
            assertFalse(allowed.has("scanBarcode"), "no scanner in a browser: " + allowed);

            assertLibraryError(run, "unknownKey", "CODE_GET_ACCESS_TOKEN_WRONG_APPLICATION_KEY");
            assertLibraryError(run, "clientCredentials", "CODE_GET_ACCESS_TOKEN_APPLICATION_NOT_CONFIGURED");
            assertLibraryError(run, "notAllowed", "CODE_GET_ACCESS_TOKEN_SCOPE_NOT_ALLOWED");
            JsonNode drafts = run.at("/answers/drafts");
            assertEquals("callProcedureResult", drafts.get("kind").asText(), drafts.toString());
            assertEquals("d-1", drafts.at("/message/resultData/0/draftId").asText(), "the host page's answer: " + drafts);

            JsonNode help = run.at("/answers/openHelp");
            assertEquals("callProcedureResult", help.get("kind").asText(), "a link to an origin the host allowed: " + help);
            assertTrue(strings(run.get("tabs")).contains(standIn.origin() + "/plugin/index.html#help"), "opened in a tab: " + run.get("tabs"));
            JsonNode elsewhere = run.at("/answers/openElsewhere");
            assertBridgeError(elsewhere.get("message"), "TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_FAILED");
            assertFalse(run.get("tabs").toString().contains("elsewhere.example"), "no tab for another origin: " + run.get("tabs"));
            JsonNode script = assertBridgeError(run.at("/answers/openScript/message"), "TYPE_PROCEDURE_PARAM", "CODE_PROCEDURE_PARAM_VALUE_INVALID");
            assertEquals("url", script.at("/errors/0/paramName").asText(), "a javascript: link is no https URL: " + script);
            assertFalse(run.get("tabs").toString().contains("javascript"), run.get("tabs").toString());
            assertBridgeError(run.at("/answers/scan/message"), "TYPE_PROCEDURE_ERROR", "CODE_PROCEDURE_UNAVAILABLE");

            List<String> hostLog = strings(run.get("hostLog"));
            assertTrue(hostLog.contains("back: {\"backScreen\":\"open_form\",\"backFormLabel\":\"inspection\",\"backActivityId\":\"4225274\","
                    + "\"backFormParams\":{\"checked\":true}}"), "close handed the next screen to the host: " + hostLog);
            for (JsonNode frame : run.get("foreign")) {
                assertTrue(frame.isArray() && frame.isEmpty(), "a frame that is not the plugin gets nothing: " + frame);
            }

            // The stand-in checks what it is given: the technician's sign-in token is for another audience.
            assertEquals(401, standInGet(standIn, "/rest/ofscCore/v1/activities/4225274", PluginCalls.userToken(keycloak)));
            assertEquals(401, standInGet(standIn, "/rest/ofscCore/v1/activities/4225274", "not-a-token"));
        }
    }

    private static void assertLibraryError(JsonNode run, String button, String code) {
        JsonNode answer = run.at("/answers/" + button);
        assertEquals("error", answer.get("kind").asText(), "through the library's error() handler: " + answer);
        assertBridgeError(answer.get("message"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", code);
        assertEquals("getAccessToken", answer.at("/message/errors/0/procedure").asText(), answer.toString());
    }

    private static void setPluginOrigins(Keycloak keycloak, String origins) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        ((ObjectNode) client.get("attributes")).put("plugin.origins", origins);
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
    }

    /** Sets the resourceUrl of the demo realm's application of that key (or component id); returns the component's id. */
    private static String setResourceUrl(Keycloak keycloak, String keyOrId, String url) {
        for (JsonNode component : keycloak.admin().get("/" + REALM + "/components" + AdminApi.UI_PAGES)) {
            if (keyOrId.equals(component.get("id").asText()) || keyOrId.equals(component.at("/config/applicationKey/0").asText())) {
                ((ArrayNode) component.at("/config/resourceUrl")).removeAll().add(url);
                keycloak.admin().put("/" + REALM + "/components/" + component.get("id").asText(), component);
                return component.get("id").asText();
            }
        }
        throw new AssertionError("no plugin application " + keyOrId);
    }

    /** A GET of the stand-in with that bearer token: its status. */
    private static int standInGet(FieldServiceStandIn standIn, String path, String token) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[]{new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(standIn.origin() + path)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    /**
     * The attack a compromised or redirected plugin frame makes: it leaves for a page of another origin with calls
     * in flight. Their answers (tokens) must not reach the new page, and what the new page asks is not relayed.
     */
    @Test
    void aPluginFrameThatLeavesForAnotherOriginGetsNoAnswerThere(Keycloak keycloak) {
        JsonNode run = inBrowser(keycloak, "plugin-host-leaves", "pluginLeavesMidCall");
        assertEquals(5, run.get("postsInFlight").asInt(), "the five calls made before leaving went to plugin-api: " + run);
        assertEquals(0, run.get("received").size(), "no answer reached the page of the other origin: " + run.get("received"));
        assertEquals(0, run.get("postsAfterLeaving").asInt(), "the new page's own calls were not relayed: " + run);
    }

    /**
     * The deployment docs/integration-developers.md describes: a host page on a site of its own imports host.js from Keycloak (a
     * cross-origin module), signs in and calls plugin-api across origins (CORS for the client's Web Origins).
     */
    @Test
    void aHostOnAnotherSiteImportsTheBridgeFromKeycloak(Keycloak keycloak) throws Exception {
        Map<String, Object> demo = PluginCalls.registerHttpsDemo(keycloak);
        String pluginOrigin = (String) demo.get("pluginOrigin");
        try (CrossOriginHost host = CrossOriginHost.start(keycloak.httpsUrl(), pluginOrigin);
             Browser browser = Browser.open(keycloak.httpsUrl(), STEPS, "plugin-host-cross-origin")) {
            allowHost(keycloak, host.origin(), host.page().toString());
            JsonNode run = browser.step("pluginAsksOnce", Map.of("hostUrl", host.page().toString(), "pluginOrigin", pluginOrigin,
                    "username", "technician", "password", "technician"));
            JsonNode use = run.get("use").get(0).get("received");
            assertEquals("success", use.at("/resultData/status").asText(), use.toString());
            assertEquals(List.of(FS), verified(keycloak, use.at("/resultData/token").asText()).getAudience());
        }
    }

    /** Served files and the host settings, as any client sees them. */
    @Test
    void theBridgeIsAModuleAnySiteMayImportAndTheDemoIsServedOnlyWhereEnabled(Keycloak keycloak) {
        Http.Reply module = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host.js"), Map.of("Origin", "https://host.example"));
        assertEquals(200, module.status());
        assertTrue(module.header("Content-Type").orElseThrow().startsWith("text/javascript"));
        assertEquals("*", module.header("Access-Control-Allow-Origin").orElseThrow(), "importable as a module by any site, without credentials");
        assertTrue(module.body().contains("export class PluginHost"));
        assertEquals(404, Http.get(keycloak.realmUrl(REALM, "/plugin-api/other.js"), Map.of()).status());
        assertEquals(404, Http.get(keycloak.realmUrl("master", "/plugin-api/demo/host.html"), Map.of()).status(),
                "the demo pages only where the realm enables them");
        assertEquals(200, Http.get(keycloak.realmUrl(REALM, "/plugin-api/demo/host.html"), Map.of()).status());
        Http.Reply anonymous = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host"), Map.of());
        assertBridgeError(anonymous.json(), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", "CODE_GET_ACCESS_TOKEN_UNAUTHORIZED");
        assertEquals(401, anonymous.status());
        Http.Reply settings = Http.get(keycloak.realmUrl(REALM, "/plugin-api/host"),
                Map.of("Authorization", "Bearer " + PluginCalls.userToken(keycloak)));
        assertEquals(200, settings.status(), settings.shown());
        assertEquals("demo01", settings.json().at("/environment/environmentName").asText());
        assertFalse(settings.json().get("nativeApp").asBoolean());
        assertEquals(15000, settings.json().get("timeoutMillis").asLong());
    }

    @Test
    void aPluginThatAsksForObjectsIsAnsweredInObjects(Keycloak keycloak) {
        JsonNode run = inBrowser(keycloak, "plugin-host-objects", "pluginAsksInObjects");
        for (JsonNode message : run.get("opening")) {
            assertFalse(message.get("asString").asBoolean(), message.toString());
        }
        JsonNode use = run.get("use").get(0);
        assertFalse(use.get("asString").asBoolean());
        assertEquals("success", use.at("/received/resultData/status").asText(), use.toString());
    }

    @Test
    void offlineTheBridgeAnswersWithTheOfflineCode(Keycloak keycloak) {
        JsonNode run = inBrowser(keycloak, "plugin-host-offline", "pluginAsksOffline");
        JsonNode offline = assertBridgeError(run.get("use").get(0).get("received"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR",
                "CODE_GET_ACCESS_TOKEN_OFFLINE_NOT_SUPPORTED");
        assertEquals(FS + "/use", offline.at("/errors/0/scope").asText());
        assertTrue(offline.get("callId").asText().startsWith("call-"));
    }

    /**
     * Nothing comes back (DevTools: 40 s of latency): 2 s after the server's own 15 s timeout the bridge gives the
     * plugin the server's timeout code itself, rather than leaving it waiting.
     */
    @Test
    void withNoAnswerInTimeTheBridgeAnswersTheTimeoutItself(Keycloak keycloak) {
        JsonNode run = inBrowser(keycloak, "plugin-host-slow", "pluginAsksOverASlowNetwork");
        JsonNode timedOut = assertBridgeError(run.get("use").get(0).get("received"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR",
                "CODE_GET_ACCESS_TOKEN_PROCEDURE_TIMEOUT");
        assertEquals(FS + "/use", timedOut.at("/errors/0/scope").asText());
        long waited = run.get("waitedMillis").asLong();
        assertTrue(waited >= 17_000 && waited < 30_000, "answered after timeout + margin (17 s), not before, not never: " + waited + " ms");
    }

    /** getAccessToken offline: the vendor's offline code, with the application key the plugin named. */
    @Test
    void offlineAnApplicationsTokenIsRefusedWithTheOfflineCode(Keycloak keycloak) {
        Map<String, Object> demo = new HashMap<>(PluginCalls.registerHttpsDemo(keycloak));
        demo.put("button", "app");
        JsonNode run;
        try (Browser browser = Browser.open(keycloak.httpsUrl(), STEPS, "plugin-host-offline-app")) {
            run = browser.step("pluginAsksOffline", demo);
        }
        JsonNode offline = assertBridgeError(run.get("use").get(0).get("received"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR",
                "CODE_GET_ACCESS_TOKEN_OFFLINE_NOT_SUPPORTED");
        assertEquals("fs_rest_api", offline.at("/errors/0/applicationKey").asText(), offline.toString());
        assertEquals("getAccessToken", offline.at("/errors/0/procedure").asText());
        assertFalse(offline.at("/errors/0").has("scope"), offline.toString());
    }

    /** For a plugin client marked as a native app, the bridge's own answers use the native names too. */
    @Test
    void offlineANativeAppPluginGetsTheNativeCode(Keycloak keycloak) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        setNativeApp(keycloak, uuid, true);
        JsonNode run;
        try {
            run = inBrowser(keycloak, "plugin-host-native", "pluginAsksOffline");
        } finally {
            setNativeApp(keycloak, uuid, false);
        }
        assertBridgeError(run.get("use").get(0).get("received"), "TYPE_PROCEDURE_GET_ACCESS_TOKEN_NATIVE_ERROR",
                "CODE_GET_ACCESS_TOKEN_NATIVE_OFFLINE_NOT_SUPPORTED");
    }

    private static void setNativeApp(Keycloak keycloak, String uuid, boolean nativeApp) {
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        ((ObjectNode) client.get("attributes")).put("plugin.native.app", Boolean.toString(nativeApp));
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
    }

    /**
     * A host that saves each update before it takes the next gets every one, in order, though the plugin sent them
     * at once; when the host disposes of the plugin, what it awaited (the plugin's close, its next update) ends
     * instead of waiting for ever.
     */
    @Test
    void aHostGetsEveryUpdateInOrderAndDisposingEndsWhatItAwaits(Keycloak keycloak) {
        JsonNode run = inBrowser(keycloak, "plugin-host-updates", "hostTakesEveryUpdateThenEndsThePlugin");
        List<String> hostLog = strings(run.get("hostLog"));
        assertAll(
                () -> assertEquals(List.of("update: {\"aid\":\"4225274\",\"astatus\":\"started\"}",
                        "update: {\"aid\":\"4225274\",\"astatus\":\"suspended\"}", "update: {\"aid\":\"4225274\",\"astatus\":\"started\"}"),
                        strings(run.get("updates")), "every update, in order: " + run),
                () -> assertTrue(hostLog.contains("closed by the host"), "closed resolved when the host disposed of the plugin: " + hostLog),
                () -> assertTrue(hostLog.contains("updates: no more"), "nextUpdate resolved too: " + hostLog));
    }

    /** The demo host and plugin registered on this server's HTTPS port, and one step of a fresh browser on them. */
    private static JsonNode inBrowser(Keycloak keycloak, String browserName, String step) {
        Map<String, Object> demo = PluginCalls.registerHttpsDemo(keycloak);
        try (Browser browser = Browser.open(keycloak.httpsUrl(), STEPS, browserName)) {
            return browser.step(step, demo);
        }
    }

    /** Lets a host page of another site sign in to the plugin client and call across origins. */
    private static void allowHost(Keycloak keycloak, String origin, String page) {
        String uuid = keycloak.admin().clientUuid(REALM, PLUGIN);
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + REALM + "/clients/" + uuid);
        PluginCalls.addOnce((ArrayNode) client.get("redirectUris"), page);
        PluginCalls.addOnce((ArrayNode) client.get("webOrigins"), origin);
        keycloak.admin().put("/" + REALM + "/clients/" + uuid, client);
    }

    /** The one message the plugin got for a button. */
    private static JsonNode only(JsonNode run, String button) {
        List<JsonNode> messages = received(run.at("/answers/" + button));
        assertEquals(1, messages.size(), button + ": " + messages);
        return messages.get(0);
    }

    private static List<JsonNode> received(JsonNode log) {
        List<JsonNode> messages = new ArrayList<>();
        log.forEach(entry -> messages.add(entry.get("received")));
        return messages;
    }

    /** The token's signature checked against the realm's published keys, and its claims. */
    static JWTClaimsSet verified(Keycloak keycloak, String token) {
        try {
            return verifiedOrThrow(keycloak, token);
        } catch (Exception e) {
            throw new AssertionError("Not a token of the realm: " + e.getMessage(), e);
        }
    }

    private static JWTClaimsSet verifiedOrThrow(Keycloak keycloak, String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        JWKSet keys = JWKSet.parse(Http.get(keycloak.realmUrl(REALM, "/protocol/openid-connect/certs"), Map.of()).body());
        RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertNotNull(key, "the token's key is published");
        assertTrue(jwt.verify(new RSASSAVerifier(key)), "signed by the realm");
        return jwt.getJWTClaimsSet();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
