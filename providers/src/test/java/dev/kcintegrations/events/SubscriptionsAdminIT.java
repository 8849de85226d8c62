package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /admin/realms/{realm}/event-subscriptions}: the realm's administrators see every application's
 * subscriptions and their queues, and stop, resume, delete and replay them through the same lifecycle as
 * {@code events/v4}; {@code view-events} reads, {@code manage-events} changes, anyone else is refused.
 */
@KeycloakIntegrationTest
class SubscriptionsAdminIT {

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private Ess subscribed(Keycloak keycloak, String id) {
        Ess app = Ess.application(keycloak);
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        return app;
    }

    private Ess subscribedInTotalOrder(Keycloak keycloak, String id) {
        Ess app = Ess.application(keycloak);
        assertEquals(200, app.subscribeInTotalOrder(id, ".*", "public.test", receiver.url("/" + id)).status());
        return app;
    }

    /** The receiver refuses events (503) from now on; one is published and has been tried once. */
    private void heldAfterOneAttempt(Ess app, String id, String eventType) {
        receiver.answer(request -> request.body().contains("subscription.verification") ? 200 : 503);
        app.publishTest(eventType);
        Ess.awaitDelivery(app, id, d -> d.get("attempts").asInt() >= 1);
    }

    @Test
    void anAdministratorSeesEveryApplicationsSubscriptionWithItsQueue(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-list");
        Ess app = subscribed(keycloak, id);
        heldAfterOneAttempt(app, id, "heldForTheList");
        Http.Reply list = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "?clientId=" + app.clientId(), null);
        assertEquals(200, list.status(), list.shown());
        assertEquals(1, list.json().size(), list.body());
        JsonNode subscription = list.json().get(0);
        assertEquals(id, subscription.get("id").asText());
        assertEquals(app.clientId(), subscription.at("/application/clientId").asText());
        assertEquals(keycloak.admin().clientUuid(Ess.REALM, app.clientId()), subscription.at("/application/id").asText());
        assertEquals("public.test", subscription.get("topic").asText());
        assertEquals(receiver.url("/" + id).toString(), subscription.get("endpoint").asText());
        assertEquals("ACTIVE", subscription.get("status").asText());
        assertEquals(1, subscription.get("pending").asInt(), list.body());
        assertTrue(subscription.get("failureStreak").asInt() >= 1, list.body());
        assertEquals(503, subscription.get("lastHttpStatus").asInt(), list.body());
        assertTrue(subscription.has("oldestPendingSeconds") && subscription.has("lastAttemptAt"), list.body());
        assertEquals(id, SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id, null).json().get("id").asText());
        Http.Reply deliveries = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?status=PENDING", null);
        assertEquals(200, deliveries.status(), deliveries.shown());
        assertTrue(deliveries.json().get("deliveries").get(0).get("attemptLog").size() >= 1, deliveries.body());
    }

    /**
     * Administrators page a subscription's deliveries as its application does: newest first, by the nextCursor of
     * the previous page, which events captured meanwhile never shift; an offset is refused, not ignored.
     */
    @Test
    void deliveriesArePagedByTheSameCursorAsTheApplicationsOwnList(Keycloak keycloak) {
        String id = Ess.uniqueId("paged");
        Ess app = subscribed(keycloak, id);
        for (int i = 1; i <= 5; i++) {
            app.publishTest("paged" + i);
        }
        Await.until("five deliveries", Duration.ofSeconds(20), () -> app.deliveries(id, null), rows -> rows.size() == 5);
        JsonNode first = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?max=2", null).json();
        assertEquals(List.of("paged5", "paged4"), eventTypes(first.get("deliveries")));
        app.publishTest("paged6"); // captured while the administrator pages: no row moves to the next page twice
        String cursor = first.get("nextCursor").asText();
        JsonNode second = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?max=2&cursor=" + cursor, null).json();
        assertEquals(List.of("paged3", "paged2"), eventTypes(second.get("deliveries")));
        JsonNode own = app.get("/subscriptions/" + id + "/deliveries?limit=2&cursor=" + cursor).json();
        assertEquals(eventTypes(second.get("deliveries")), eventTypes(own.get("deliveries")), "one cursor, both APIs");
        JsonNode last = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?max=2&cursor="
                + second.get("nextCursor").asText(), null).json();
        assertEquals(List.of("paged1"), eventTypes(last.get("deliveries")));
        assertFalse(last.has("nextCursor"), last.toString());

        Http.Reply offset = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?first=2", null);
        assertEquals(400, offset.status(), offset.shown());
        assertTrue(offset.json().get("errorMessage").asText().contains("cursor"), offset.body());
        Http.Reply forged = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/deliveries?cursor=1.not-a-row", null);
        assertEquals(400, forged.status(), forged.shown());
    }

    private static List<String> eventTypes(JsonNode deliveries) {
        List<String> types = new ArrayList<>();
        deliveries.forEach(d -> types.add(d.get("eventType").asText()));
        return types;
    }

    /**
     * A disabled subscription keeps what was queued and sends none of it; events while it is disabled are not
     * captured for it (as for one disabled by a 410); enabled again, its queue goes out from where it stopped.
     */
    @Test
    void aDisabledSubscriptionIsNotSentAnythingAndItsApplicationSeesWhyUntilItIsEnabledAgain(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-disable");
        Ess app = subscribed(keycloak, id);
        heldAfterOneAttempt(app, id, "queuedBeforeDisabling");
        Http.Reply disabled = SubscriptionsAdminApi.asAdmin(keycloak, "PUT", "/" + id + "/status",
                "{\"status\":\"DISABLED\",\"reason\":\"receiver under review\"}");
        assertEquals(200, disabled.status(), disabled.shown());
        assertEquals("DISABLED", disabled.json().get("status").asText());
        int triedBefore = receiver.events(r -> r.body().contains("queuedBeforeDisabling")).size();
        receiver.answer(204);
        assertEquals(0, app.publishTest("whileDisabled").json().get("subscriptions").asInt(), "not captured while disabled");
        Await.pause(Duration.ofSeconds(3)); // the retry schedule is 1 s: an active subscription would have been tried again
        assertEquals(triedBefore, receiver.events(r -> r.body().contains("queuedBeforeDisabling")).size(), "nothing is sent while disabled");
        JsonNode own = app.get("/subscriptions/" + id + "/deliveries").json();
        assertEquals("DISABLED", own.get("subscriptionStatus").asText(), own.toString());
        assertEquals("receiver under review", own.get("statusReason").asText(), own.toString());
        assertEquals(200, SubscriptionsAdminApi.asAdmin(keycloak, "PUT", "/" + id + "/status", "{\"status\":\"ACTIVE\"}").status());
        Ess.awaitDelivery(app, id, d -> d.get("eventType").asText().equals("queuedBeforeDisabling")
                && d.get("status").asText().equals("DELIVERED"));
        assertEquals(0, receiver.events(r -> r.body().contains("whileDisabled")).size());
        // Not ?resourceTypes=EVENT_SUBSCRIPTION: Keycloak's endpoint takes only its own enum there (a 500 otherwise).
        JsonNode events = keycloak.admin().get("/" + Ess.REALM + "/admin-events?max=200");
        List<String> paths = new ArrayList<>();
        events.forEach(e -> {
            if (e.path("resourceType").asText().equals("EVENT_SUBSCRIPTION")) {
                paths.add(e.get("operationType").asText() + " " + e.get("resourcePath").asText());
            }
        });
        assertTrue(paths.contains("UPDATE event-subscriptions/" + id + "/status"), "each change is an admin event: " + paths);
    }

    /** An administrator's change is itself an event: a subscriber of keycloak.admin receives it. */
    @Test
    void anAdministratorsChangeIsDeliveredOnTheAdminTopic(Keycloak keycloak) {
        String watched = Ess.uniqueId("admin-watched");
        subscribed(keycloak, watched);
        String watcher = Ess.uniqueId("admin-watcher");
        Ess auditor = Ess.application(keycloak);
        assertEquals(200, auditor.subscribe(watcher, "EVENT_SUBSCRIPTION\\..*", "keycloak.admin", receiver.url("/" + watcher)).status());
        assertEquals(200, SubscriptionsAdminApi.asAdmin(keycloak, "PUT", "/" + watched + "/status", "{\"status\":\"DISABLED\",\"reason\":\"audit\"}").status());
        JsonNode event = WebhookReceiver.json(receiver.awaitEvents(r -> r.path().equals("/" + watcher)
                && r.body().contains("EVENT_SUBSCRIPTION.UPDATE") && r.body().contains(watched), 1, WebhookReceiver.SOON).get(0));
        assertEquals("EVENT_SUBSCRIPTION.UPDATE", event.get("eventType").asText(), event.toString());
        assertEquals("keycloak.admin", event.get("topic").asText(), event.toString());
    }

    @Test
    void aReplayedWindowIsSentAgainInOriginalOrderWithTheSameIds(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-replay");
        Ess app = subscribedInTotalOrder(keycloak, id);
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < 3; i++) {
            app.publishTest("replayed" + i);
        }
        List<WebhookReceiver.Received> first = receiver.awaitEvents(r -> r.body().contains("\"replayed"), 3, WebhookReceiver.SOON);
        Ess.awaitDelivery(app, id, d -> d.get("eventType").asText().equals("replayed2") && d.get("status").asText().equals("DELIVERED"));
        Instant to = Instant.now();
        Http.Reply replay = SubscriptionsAdminApi.asAdmin(keycloak, "POST", "/" + id + "/redeliver", "{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");
        assertEquals(202, replay.status(), replay.shown());
        assertEquals(3, replay.json().get("queued").asInt(), replay.body());
        List<WebhookReceiver.Received> all = receiver.awaitAttempts(r -> r.body().contains("\"replayed"), 6, WebhookReceiver.SOON);
        List<String> ids = all.stream().map(r -> r.header("webhook-id")).toList();
        List<String> firstIds = first.stream().map(r -> r.header("webhook-id")).toList();
        assertEquals(firstIds, ids.subList(3, 6), "the same ids, in the original order");
    }

    @Test
    void deletingCancelsThePendingDeliveriesAsTheApplicationsOwnDeleteDoes(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-delete");
        Ess app = subscribed(keycloak, id);
        heldAfterOneAttempt(app, id, "cancelledByAnAdmin");
        assertEquals(204, SubscriptionsAdminApi.asAdmin(keycloak, "DELETE", "/" + id, null).status());
        assertEquals(404, app.get("/subscriptions/" + id).status());
        assertEquals(404, SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id, null).status());
    }

    /**
     * Every change is refused to a {@code view-events} administrator, each on a resource that exists: a check
     * that broke into a 404 (an unknown delivery) would not pass for a refusal.
     */
    @Test
    void viewEventsMayReadButNotChangeAndOthersAreRefused(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-authz");
        Ess app = subscribed(keycloak, id);
        app.publishTest("deliveredBeforeTheViewerTries");
        String deliveryId = Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("DELIVERED")).get("deliveryId").asText();
        String viewer = RealmUsers.realmUser(keycloak, Ess.uniqueId("viewer"), "view-events");
        String nobody = RealmUsers.realmUser(keycloak, Ess.uniqueId("nobody"));
        assertEquals(200, SubscriptionsAdminApi.as(keycloak, viewer, "GET", "", null).status());
        assertEquals(200, SubscriptionsAdminApi.as(keycloak, viewer, "GET", "/" + id + "/deliveries", null).status());
        for (String[] change : new String[][]{{"PUT", "/" + id + "/status", "{\"status\":\"DISABLED\"}"}, {"DELETE", "/" + id, null},
                {"POST", "/" + id + "/redeliver", "{\"status\":\"PARKED\"}"},
                {"POST", "/" + id + "/deliveries/" + deliveryId + "/redeliver", null}}) {
            assertEquals(403, SubscriptionsAdminApi.as(keycloak, viewer, change[0], change[1], change[2]).status(),
                    "view-events cannot " + change[0] + " " + change[1]);
        }
        assertEquals(403, SubscriptionsAdminApi.as(keycloak, nobody, "GET", "", null).status(), "no realm-management role: refused");
        assertEquals(401, SubscriptionsAdminApi.as(keycloak, null, "GET", "", null).status(), "no token");
        assertEquals("ACTIVE", SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id, null).json().get("status").asText(), "nothing changed");
        Await.pause(Duration.ofMillis(1500)); // a queued delivery would have gone out by now (it is woken at once)
        assertEquals(1, app.deliveries(id, null).get(0).get("attempts").asInt(), "the viewer's redeliver queued nothing");
        assertEquals(202, SubscriptionsAdminApi.asAdmin(keycloak, "POST", "/" + id + "/deliveries/" + deliveryId + "/redeliver", null).status(),
                "the same call is a manage-events administrator's to make");
    }

    @Test
    void badInputIsAFourHundredInTheAdminApisShape(Keycloak keycloak) {
        String id = Ess.uniqueId("admin-bad");
        subscribed(keycloak, id);
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("PUT /" + id + "/status {\"status\":\"ASLEEP\"}", 400);
        cases.put("PUT /" + id + "/status {\"status\":7}", 400);
        cases.put("PUT /" + id + "/status not json", 400);
        cases.put("PUT /" + id + "/status {\"status\":\"DISABLED\",\"reason\":\"" + "x".repeat(300) + "\"}", 400);
        cases.put("POST /" + id + "/redeliver {}", 400);
        cases.put("POST /" + id + "/redeliver {\"from\":\"yesterday\",\"to\":\"today\"}", 400);
        cases.put("POST /" + id + "/redeliver {\"from\":\"2026-11-30T12:00:00Z\",\"to\":\"2026-11-30T11:00:00Z\"}", 400);
        cases.put("POST /" + id + "/redeliver {\"status\":\"DELIVERED\"}", 400);
        // Times whose milliseconds do not fit a long (a 500 once), and times before the epoch, are not times of a delivery.
        cases.put("GET /" + id + "/deliveries?to=%2B300000-01-01T00:00:00Z ", 400);
        cases.put("GET /" + id + "/deliveries?from=-300000-01-01T00:00:00Z ", 400);
        cases.put("GET /" + id + "/deliveries?from=1969-12-31T23:59:59Z ", 400);
        cases.put("POST /" + id + "/redeliver {\"from\":\"2026-11-30T11:00:00Z\",\"to\":\"+300000-01-01T00:00:00Z\"}", 400);
        cases.put("POST /" + id + "/redeliver {\"from\":\"+300000-01-01T00:00:00Z\",\"to\":\"+300001-01-01T00:00:00Z\"}", 400);
        cases.put("GET ?max=1000 ", 400);
        cases.put("GET ?status=GONE ", 400);
        cases.put("GET /no-such-subscription ", 404);
        cases.put("POST /" + id + "/deliveries/no-such-delivery/redeliver ", 404);
        cases.forEach((request, expected) -> {
            String method = request.substring(0, request.indexOf(' '));
            String rest = request.substring(method.length() + 1);
            String path = rest.substring(0, rest.indexOf(' '));
            String body = rest.substring(rest.indexOf(' ') + 1);
            Http.Reply reply = SubscriptionsAdminApi.as(keycloak, RealmUsers.adminToken(keycloak), method, path, body.isEmpty() ? null : body);
            assertEquals(expected, reply.status(), request + " → " + reply.body());
            assertTrue(reply.json().has("errorMessage") || reply.json().has("error"), request + " → " + reply.body());
        });
    }

}
