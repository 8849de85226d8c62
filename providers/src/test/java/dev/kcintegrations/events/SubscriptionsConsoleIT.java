package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Browser;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Event subscriptions page, in Debian's chromium, as people use it: an administrator signs in to the admin
 * console, follows the page's link from it, finds an application's subscription, disables it and replays a
 * window; a user with only {@code view-events} sees it without a single action and the server refuses the
 * page's own token a change. Screenshots of every step: {@code providers/target/screenshots/}.
 */
@KeycloakIntegrationTest
class SubscriptionsConsoleIT {

    private static final String STEPS = "console-steps.mjs";
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
        Ess app = WebhookDeliveryIT.application(keycloak);
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        Instant from = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            app.publishTest("consoleShown" + i);
        }
        List<WebhookReceiver.Received> first = receiver.awaitEvents(r -> r.body().contains("\"consoleShown"), 3, WebhookDeliveryIT.SOON);
        WebhookDeliveryIT.awaitDelivery(app, id, d -> d.get("eventType").asText().equals("consoleShown2") && d.get("status").asText().equals("DELIVERED"));
        Instant to = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);

        try (Browser admin = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-admin");
             Browser viewerBrowser = Browser.open(keycloak.baseUrl(), STEPS, "event-subscriptions-viewer")) {
            administratorDisablesAndReplays(keycloak, admin, app, id, first, from, to);
            viewerOnlyLooks(keycloak, viewerBrowser, app, id);
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
        assertTrue(opened.get("problems").isEmpty(), "no script errors: " + opened.get("problems"));

        JsonNode cameThrough = admin.step("adminComesThroughTheRealmsOwnPage", Map.of("realm", Ess.REALM, "subscription", id));
        assertTrue(cameThrough.get("url").asText().contains("/realms/master/event-subscriptions/console/?realm=" + Ess.REALM), cameThrough.toString());
        assertEquals(Ess.REALM, cameThrough.get("realm").asText());

        JsonNode disabled = admin.step("adminDisables", Map.of("loginRealm", "master", "realm", Ess.REALM, "subscription", id,
                "reason", "paused from the console"));
        assertEquals("DISABLED (paused from the console)", disabled.get("status").asText());
        assertEquals(0, app.publishTest("afterDisabling").json().get("subscriptions").asInt(), "a disabled subscription captures nothing");
        WebhookDeliveryIT.pause(Duration.ofSeconds(2));
        assertEquals(0, receiver.events(r -> r.body().contains("afterDisabling")).size(), "the application's next delivery does not happen");
        JsonNode own = app.get("/subscriptions/" + id + "/deliveries").json();
        assertEquals("DISABLED", own.get("subscriptionStatus").asText(), own.toString());
        assertEquals("paused from the console", own.get("statusReason").asText(), own.toString());

        JsonNode replayed = admin.step("adminReplays", Map.of("loginRealm", "master", "realm", Ess.REALM, "subscription", id,
                "from", from.toString(), "to", to.toString()));
        assertEquals("ACTIVE", replayed.get("status").asText());
        assertTrue(replayed.get("notice").asText().contains("3 queued again"), replayed.toString());
        List<WebhookReceiver.Received> all = receiver.awaitAttempts(r -> r.body().contains("\"consoleShown"), 6, WebhookDeliveryIT.SOON);
        List<String> ids = all.stream().map(r -> r.header("webhook-id")).toList();
        assertEquals(first.stream().map(r -> r.header("webhook-id")).toList(), ids.subList(3, 6), "the same ids, in the original order");

    }

    private void viewerOnlyLooks(Keycloak keycloak, Browser viewerBrowser, Ess app, String id) {
        String viewer = Ess.uniqueId("viewer");
        SubscriptionsAdminIT.realmUser(keycloak, viewer, "view-events");
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

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
