package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Browser;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.BrowserTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Event subscriptions page, in Debian's chromium, as people use it: an administrator signs in to the admin
 * console, follows the page's link from it, finds an application's subscription, disables it and replays a
 * window; a user with only {@code view-events} sees it without a single action and the server refuses the
 * page's own token a change. Screenshots of every step: {@code providers/target/screenshots/}.
 */
@BrowserTest
class SubscriptionsConsoleIT {

    private static final String STEPS = "console-steps.mjs";
    /** A filter matching every event that is also markup a careless page would run. */
    private static final String MARKUP_FILTER = ".*|<img src=x onerror=window.__subscriberMarkupRan=true>";
    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void anAdministratorDisablesAndReplaysASubscriptionOnThePageAndAViewerOnlyLooks(Keycloak keycloak) {
        String id = Ess.uniqueId("console");
        Ess app = Ess.application(keycloak);
        // The replay below is checked for the original order: the total order, one event at a time.
        assertEquals(200, app.subscribeInTotalOrder(id, MARKUP_FILTER, "public.test", receiver.url("/" + id)).status());
        Instant from = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            app.publishTest("consoleShown" + i);
        }
        List<WebhookReceiver.Received> first = receiver.awaitEvents(r -> r.body().contains("\"consoleShown"), 3, WebhookReceiver.SOON);
        Ess.awaitDelivery(app, id, d -> d.get("eventType").asText().equals("consoleShown2") && d.get("status").asText().equals("DELIVERED"));
        Instant to = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);

        try (Browser admin = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-admin");
             Browser viewerBrowser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-viewer")) {
            administratorDisablesAndReplays(keycloak, admin, app, id, first, from, to);
            viewerOnlyLooks(keycloak, viewerBrowser, app, id);
        }
    }

    /** Settings the server could not give (config.json answered 503): the page says so, and stops there. */
    @Test
    void aPageWithoutItsSettingsSaysSo(Keycloak keycloak) {
        try (Browser browser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-settings")) {
            JsonNode unavailable = browser.step("settingsUnavailable", Map.of("loginRealm", "master", "realm", Ess.REALM));
            assertEquals("The page's settings could not be loaded (HTTP 503); reload the page to try again.",
                    unavailable.get("notice").asText(), unavailable.toString());
            assertTrue(unavailable.get("filtersHidden").asBoolean(), unavailable.toString());
        }
    }

    /** Two filters in a row whose first answer comes last: the table shows what the second asked for. */
    @Test
    void aListAnswerOvertakenByANewerFilterIsNotShown(Keycloak keycloak) {
        String id = Ess.uniqueId("console-filters");
        Ess app = Ess.application(keycloak);
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        try (Browser browser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-filters")) {
            JsonNode filtered = browser.step("fasterSecondFilter", Map.of("username", "admin", "password", "admin",
                    "loginRealm", "master", "realm", Ess.REALM, "clientId", app.clientId()));
            assertEquals(1, filtered.get("rows").size(), "the ACTIVE filter's one row, not the DISABLED filter's none: " + filtered);
            assertEquals(app.clientId(), filtered.get("rows").get(0).get(0).asText(), filtered.toString());
            assertTrue(filtered.get("rows").get(0).get(4).asText().startsWith("ACTIVE"), filtered.toString());
        }
    }

    /**
     * An ID token for another client ({@code aud}) or from another issuer ({@code iss}), changed on its way from
     * the token endpoint as a hostile proxy or browser extension would: nobody is signed in.
     */
    @ParameterizedTest
    @CsvSource({"aud, another-client", "iss, /realms/elsewhere"})
    void anIdTokenForAnotherClientOrFromAnotherIssuerSignsNobodyIn(String claim, String value, Keycloak keycloak) {
        String tampered = value.startsWith("/") ? keycloak.baseUrl().resolve(value).toString() : value;
        try (Browser browser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-tampered-" + claim)) {
            JsonNode refused = browser.step("tamperedIdToken", Map.of("username", "admin", "password", "admin",
                    "loginRealm", "master", "realm", Ess.REALM, "claim", claim, "value", tampered));
            assertEquals("Sign-in failed: the answer was not for this page's request", refused.get("notice").asText(), refused.toString());
            assertEquals("", refused.get("user").asText(), "nobody is signed in: " + refused);
            assertEquals(0, refused.get("listed").asInt(), refused.toString());
        }
    }

    /** The page speaks the languages of the console's own labels of this extension: Japanese and Chinese besides English. */
    @ParameterizedTest
    @CsvSource({"ja, イベントサブスクリプション, アプリケーション, ステータス", "zh-CN, 事件订阅, 应用, 状态"})
    void thePageSpeaksJapaneseAndChinese(String lang, String title, String application, String status, Keycloak keycloak) {
        String id = Ess.uniqueId("console-" + lang.toLowerCase(Locale.ROOT));
        Ess app = Ess.application(keycloak);
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        try (Browser browser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-" + lang)) {
            JsonNode page = browser.step("pageInLanguage", Map.of("username", "admin", "password", "admin",
                    "loginRealm", "master", "realm", Ess.REALM, "lang", lang, "subscription", id));
            assertEquals(lang, page.get("lang").asText(), page.toString());
            assertEquals(lang, page.get("langKept").asText(), "the address keeps the language, so a reload does too: " + page);
            assertEquals(title, page.get("title").asText(), page.toString());
            assertEquals(title, page.get("heading").asText(), page.toString());
            assertEquals(application, page.at("/columns/0").asText(), page.toString());
            assertEquals(status, page.at("/columns/4").asText(), page.toString());
            assertEquals(application, page.at("/terms/0").asText(), page.toString());
            assertTrue(page.get("statusField").asText().startsWith("ACTIVE"), "values stay as the server sends them: " + page);
        }
    }

    private void administratorDisablesAndReplays(Keycloak keycloak, Browser admin, Ess app, String id, List<WebhookReceiver.Received> first,
                                                 Instant from, Instant to) {
        JsonNode opened = admin.step("adminOpens", Map.of("username", "admin", "password", "admin", "realm", Ess.REALM, "subscription", id));
        assertTrue(opened.get("link").asText().endsWith("/realms/master/event-subscriptions/console/"), "the admin console links the page: " + opened);
        assertEquals("admin", opened.get("user").asText());
        String row = opened.get("row").toString();
        for (String shown : new String[]{app.clientId(), "public.test", receiver.url("/" + id).toString(), "ACTIVE"}) {
            assertTrue(row.contains(shown), "the row shows " + shown + ": " + row);
        }
        assertEquals(3, opened.get("deliveries").size(), opened.toString());
        assertTrue(opened.get("attempts").toString().contains("HTTP 200") || opened.get("attempts").toString().contains("HTTP 204"),
                "attempts with the receiver's answer: " + opened.get("attempts"));
        assertEquals(List.of("disable", "redeliver-parked", "delete", "replay", "redeliver", "redeliver", "redeliver"), strings(opened.get("buttons")));
        assertEquals(MARKUP_FILTER, opened.get("filterShown").asText(), "the subscriber's filter is shown as text");
        assertEquals(false, opened.get("markupRan").asBoolean(), "and never run");
        assertEquals("ess", opened.get("format").asText(), "the body format the subscription chose");

        JsonNode cameThrough = admin.step("adminComesThroughTheRealmsOwnPage", Map.of("realm", Ess.REALM, "subscription", id));
        assertTrue(cameThrough.get("url").asText().contains("/realms/master/event-subscriptions/console/?realm=" + Ess.REALM), cameThrough.toString());
        assertEquals(Ess.REALM, cameThrough.get("realm").asText());

        JsonNode disabled = admin.step("adminDisables", Map.of("loginRealm", "master", "realm", Ess.REALM, "subscription", id,
                "reason", "paused from the console"));
        assertEquals("DISABLED (paused from the console)", disabled.get("status").asText());
        assertEquals(1, disabled.get("changes").size(), disabled.toString());
        assertTrue(disabled.get("changes").get(0).asText().matches("PUT .*/event-subscriptions/uuid:[0-9a-f-]{36}/status"),
                "a change goes by the internal id, which no URL parser rewrites: " + disabled.get("changes"));
        assertEquals(0, app.publishTest("afterDisabling").json().get("subscriptions").asInt(), "a disabled subscription captures nothing");
        Await.pause(Duration.ofSeconds(2));
        assertEquals(0, receiver.events(r -> r.body().contains("afterDisabling")).size(), "the application's next delivery does not happen");
        JsonNode own = app.get("/subscriptions/" + id + "/deliveries").json();
        assertEquals("DISABLED", own.get("subscriptionStatus").asText(), own.toString());
        assertEquals("paused from the console", own.get("statusReason").asText(), own.toString());

        JsonNode replayed = admin.step("adminReplays", Map.of("loginRealm", "master", "realm", Ess.REALM, "subscription", id,
                "from", from.toString(), "to", to.toString()));
        assertEquals("ACTIVE", replayed.get("status").asText());
        assertTrue(replayed.get("notice").asText().contains("3 queued again"), replayed.toString());
        List<WebhookReceiver.Received> all = receiver.awaitAttempts(r -> r.body().contains("\"consoleShown"), 6, WebhookReceiver.SOON);
        List<String> ids = all.stream().map(r -> r.header("webhook-id")).toList();
        assertEquals(first.stream().map(r -> r.header("webhook-id")).toList(), ids.subList(3, 6), "the same ids, in the original order");

        // A subject-ordered subscription with one user's event failing: the page shows the held subject.
        String perSubject = Ess.uniqueId("console-held");
        receiver.answer(r -> r.body().contains("\"userId\":\"console-stuck\"") ? 500 : 200);
        // Held for two minutes, not the schedule's 5 s: a page that loads slower than the retry comes due (a loaded
        // machine) would find the row due and no longer held, and the table empty.
        receiver.answerHeaders(Map.of("Retry-After", "120"));
        assertEquals(200, app.subscribe(perSubject, ".*", "public.test", receiver.url("/" + perSubject), "subject", 4).status());
        app.publishTest("consoleHeld", "console-stuck");
        receiver.awaitAttempts(r -> r.body().contains("\"consoleHeld\""), 1, WebhookReceiver.SOON);
        JsonNode held = admin.step("adminSeesHeldSubjects", Map.of("loginRealm", "master", "realm", Ess.REALM, "subscription", perSubject));
        assertEquals("per subject (user, resource)", held.get("ordering").asText(), held.toString());
        assertEquals("window 4 of 4", held.get("inFlight").asText(), held.toString());
        assertEquals("1", held.get("heldSubjects").asText(), held.toString());
        assertEquals("users/console-stuck", held.at("/held/0/key").asText(), held.toString());
        assertTrue(held.at("/held/0/cells").toString().contains("consoleHeld") && held.at("/held/0/cells").toString().contains("HTTP 500"),
                held.toString());
        receiver.answerHeaders(Map.of());

    }

    private void viewerOnlyLooks(Keycloak keycloak, Browser viewerBrowser, Ess app, String id) {
        String viewer = Ess.uniqueId("viewer");
        RealmUsers.realmUser(keycloak, viewer, "view-events");
        JsonNode looked = viewerBrowser.step("viewerLooks", Map.of("username", viewer, "password", "Secret-" + viewer, "realm", Ess.REALM,
                "subscription", id));
        assertEquals(List.of(), strings(looked.get("buttons")), "no action for view-events only");
        assertEquals("ACTIVE", looked.get("status").asText());
        assertTrue(looked.get("hadToken").asBoolean(), looked.toString());
        assertEquals(403, looked.get("putWithPageToken").asInt(), "the server refuses the page's token a change");
        assertEquals("ACTIVE", app.get("/subscriptions/" + id + "/deliveries").json().get("subscriptionStatus").asText(), "nothing changed");
    }

    @Test
    void theEventTopicsPageHasAHumanTitleAndListsTheBuiltInTopics(Keycloak keycloak) {
        JsonNode topics;
        try (Browser admin = Browser.open(keycloak.baseUrl(), STEPS, "event-topics")) {
            topics = admin.step("eventTopics", Map.of("username", "admin", "password", "admin", "realm", Ess.REALM));
        }
        assertEquals("Event topics", topics.get("title").asText());
        assertTrue(topics.get("menuHasEventTopics").asBoolean(), topics.toString());
        assertTrue(strings(topics.get("topics")).containsAll(List.of("public.test", "keycloak.user", "keycloak.admin")), topics.toString());
        assertEquals("Event topics", topics.get("breadcrumb").get(0).asText(), "a human breadcrumb, not the key 'page': " + topics);
    }

    /**
     * The page holds an administrator's token: its HTML runs only its own scripts and talks only to this server,
     * only the page's own files are served, and the sign-in client of a realm made after start exists at once,
     * public with PKCE and able to send the code nowhere but to the page.
     */
    @Test
    void thePageIsServedUnderAStrictPolicyAndItsClientRedirectsOnlyToIt(Keycloak keycloak) {
        URI page = keycloak.realmUrl(Ess.REALM, "/event-subscriptions/console/");
        Http.Reply html = Http.get(page, Map.of());
        assertEquals(200, html.status());
        List<String> policies = html.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Security-Policy"))
                .flatMap(h -> h.getValue().stream()).toList();
        assertEquals(1, policies.size(), "only the page's policy, not Keycloak's login-page one besides: " + policies);
        String csp = policies.get(0);
        for (String directive : new String[]{"default-src 'none'", "script-src 'self'", "style-src 'self'",
                "connect-src 'self' " + keycloak.baseUrl().toString().replaceAll("/$", ""), "frame-ancestors 'none'", "base-uri 'none'"}) {
            assertTrue(csp.contains(directive), directive + " in " + csp);
        }
        assertTrue(html.header("Cache-Control").orElseThrow().contains("no-store"));
        assertEquals("no-referrer", html.header("Referrer-Policy").orElseThrow());
        assertEquals(302, Http.get(keycloak.realmUrl(Ess.REALM, "/event-subscriptions/console"), Map.of()).status(), "to the address with /");
        JsonNode config = Http.get(page.resolve("config.json"), Map.of()).json();
        assertEquals("event-subscriptions-console", config.get("clientId").asText());
        assertEquals(keycloak.baseUrl().resolve("/admin/realms").toString(), config.get("adminApi").asText());
        for (String other : new String[]{"vendor/LICENSE", "../../account", "console.js.map", "%2e%2e/%2e%2e/account", "WEB-INF/web.xml"}) {
            int status = Http.get(URI.create(page + other), Map.of()).status();
            assertTrue(status == 404 || status == 400, other + " is not one of the page's files: " + status);
        }

        String realm = "console-" + Ess.uniqueId("realm");
        ObjectNode representation = keycloak.admin().object();
        representation.put("realm", realm).put("enabled", true);
        keycloak.admin().create("", representation);
        JsonNode client = keycloak.admin().get("/" + realm + "/clients?clientId=event-subscriptions-console").get(0);
        assertTrue(client.get("publicClient").asBoolean(), client.toString());
        assertEquals("S256", client.at("/attributes/pkce.code.challenge.method").asText());
        assertEquals(List.of("/realms/" + realm + "/event-subscriptions/console/*"), strings(client.get("redirectUris")));
        assertEquals(false, client.get("directAccessGrantsEnabled").asBoolean());
        Http.Reply elsewhere = Http.get(keycloak.realmUrl(realm, "/protocol/openid-connect/auth?client_id=event-subscriptions-console"
                + "&response_type=code&scope=openid&code_challenge=" + "A".repeat(43) + "&code_challenge_method=S256&redirect_uri="
                + URLEncoder.encode("http://attacker.example/realms/" + realm + "/event-subscriptions/console/", StandardCharsets.UTF_8)), Map.of());
        assertEquals(400, elsewhere.status(), "a code is never sent anywhere but to the page");
        assertTrue(elsewhere.body().contains("redirect_uri"), elsewhere.body());
    }

    /** What the page asks before it shows buttons, and its chart's counts, from the admin API. */
    @Test
    void theAdminApiTellsThePageWhatItMayDoAndCountsRecentDeliveries(Keycloak keycloak) {
        String id = Ess.uniqueId("console-activity");
        Ess app = Ess.application(keycloak);
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        String held = Ess.uniqueId("console-held");
        assertEquals(200, app.subscribe(held, ".*", "public.test", receiver.url("/" + held)).status());
        receiver.answer(r -> r.body().contains("subscription.verification") || !r.path().contains(held) ? 200 : 503);
        app.publishTest("counted0");
        app.publishTest("counted1");
        Ess.awaitDelivery(app, id, d -> d.get("eventType").asText().equals("counted1") && d.get("status").asText().equals("DELIVERED"));
        // Its head is tried and refused; the event behind it waits its turn.
        Ess.awaitDelivery(app, held, d -> d.get("eventType").asText().equals("counted0") && d.get("attempts").asInt() >= 1);
        String admin = RealmUsers.adminToken(keycloak);
        String viewer = RealmUsers.realmUser(keycloak, Ess.uniqueId("viewer"), "view-events");
        String nobody = RealmUsers.realmUser(keycloak, Ess.uniqueId("nobody"));
        JsonNode adminMay = SubscriptionsAdminApi.as(keycloak, admin, "GET", "/access", null).json();
        assertTrue(adminMay.get("view").asBoolean() && adminMay.get("manage").asBoolean(), adminMay.toString());
        JsonNode viewerMay = SubscriptionsAdminApi.as(keycloak, viewer, "GET", "/access", null).json();
        assertTrue(viewerMay.get("view").asBoolean() && !viewerMay.get("manage").asBoolean(), viewerMay.toString());
        assertEquals(403, SubscriptionsAdminApi.as(keycloak, nobody, "GET", "/access", null).status());

        Http.Reply activity = SubscriptionsAdminApi.as(keycloak, viewer, "GET", "/" + id + "/activity?hours=6", null);
        assertEquals(200, activity.status(), activity.shown());
        assertEquals(600, activity.json().get("bucketSeconds").asInt());
        JsonNode buckets = activity.json().get("buckets");
        assertEquals(36, buckets.size());
        // The events were captured in the last bucket, or the one before when a 10-minute boundary fell between.
        assertEquals(2, recent(buckets, "delivered"), activity.body());
        assertEquals(0, recent(buckets, "failed") + recent(buckets, "pending"), activity.body());
        assertTrue(buckets.get(35).has("meanDeliveryMillis") || buckets.get(34).has("meanDeliveryMillis"), activity.body());
        assertEquals(Instant.parse(buckets.get(35).get("start").asText()).minusSeconds(600), Instant.parse(buckets.get(34).get("start").asText()));
        JsonNode heldActivity = SubscriptionsAdminApi.as(keycloak, viewer, "GET", "/" + held + "/activity", null).json().get("buckets");
        assertEquals(2, recent(heldActivity, "pending"), "the held subscription's two events wait: " + heldActivity);
        assertEquals(0, recent(heldActivity, "delivered"));
        for (String bad : new String[]{"0", "73", "x", "-1"}) {
            assertEquals(400, SubscriptionsAdminApi.as(keycloak, admin, "GET", "/" + id + "/activity?hours=" + bad, null).status(), bad);
        }
        assertEquals(404, SubscriptionsAdminApi.as(keycloak, admin, "GET", "/no-such/activity", null).status());
    }

    private static int recent(JsonNode buckets, String count) {
        return buckets.get(34).get(count).asInt() + buckets.get(35).get(count).asInt();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
