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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ordering: subject}, the default: each user's events reach the receiver one at a time and in capture
 * order, while the events of other users are sent side by side, up to {@code maxInFlight}; a failing event
 * holds only its own user; a receiver that pushes back gets fewer at once.
 */
@KeycloakIntegrationTest
class PerSubjectOrderIT {

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /** Who a received test event is about ({@code facts.userId}) and which it is ({@code eventType}). */
    private static String user(WebhookReceiver.Received request) {
        JsonNode facts = WebhookReceiver.json(request).path("facts");
        return facts.path("userId").asText();
    }

    private static String type(WebhookReceiver.Received request) {
        return WebhookReceiver.json(request).get("eventType").asText();
    }

    private static boolean isEvent(WebhookReceiver.Received request) {
        return !request.body().contains("subscription.verification");
    }

    @Test
    void eachUsersEventsArriveInOrderWhileOtherUsersAreSentSideBySide(Keycloak keycloak) {
        Set<String> onTheWire = ConcurrentHashMap.newKeySet();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        receiver.answer(request -> {
            if (!isEvent(request)) {
                return 200;
            }
            String user = user(request);
            if (!onTheWire.add(user)) {
                overlapped.set(true); // two of one user's events at the receiver at once
            }
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Await.pause(Duration.ofMillis(20 + ThreadLocalRandom.current().nextInt(60)));
            inFlight.decrementAndGet();
            onTheWire.remove(user);
            return 200;
        });
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("subject");
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/subject"), "subject", 8).status());

        Map<String, List<String>> published = new LinkedHashMap<>();
        int events = 50; // within test-events-per-minute (60 per application)
        for (int i = 0; i < events; i++) {
            String user = "u" + (i % 5);
            app.publishTest("e" + i, user);
            published.computeIfAbsent(user, u -> new ArrayList<>()).add("e" + i);
        }
        List<WebhookReceiver.Received> arrived = receiver.awaitEvents(PerSubjectOrderIT::isEvent, events, WebhookReceiver.SOON);
        Map<String, List<String>> perUser = new LinkedHashMap<>();
        arrived.forEach(r -> perUser.computeIfAbsent(user(r), u -> new ArrayList<>()).add(type(r)));
        published.forEach((user, types) -> assertEquals(types, perUser.get(user), user + "'s events in capture order"));
        assertFalse(overlapped.get(), "never two events of one user at the receiver at once");
        assertTrue(mostInFlight.get() > 1 && mostInFlight.get() <= 5,
                "several users at once, never more than there are users (maxInFlight 8): " + mostInFlight.get());
        JsonNode view = app.get("/subscriptions/" + id).json().get(0).get("webHookConfig");
        assertEquals("subject", view.get("ordering").asText(), view.toString());
        assertEquals(8, view.get("maxInFlight").asInt(), view.toString());
    }

    @Test
    void aFailingUserHoldsOnlyItsOwnEventsAndTheAdministratorSeesWhich(Keycloak keycloak) {
        AtomicBoolean badRecovered = new AtomicBoolean();
        receiver.answer(request -> isEvent(request) && user(request).equals("bad") && !badRecovered.get() ? 500 : 200);
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("held-key");
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/held"), "subject", 4).status());

        app.publishTest("bad1", "bad");
        receiver.awaitAttempts(r -> isEvent(r) && type(r).equals("bad1"), 1, WebhookReceiver.SOON);
        app.publishTest("bad2", "bad");
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            app.publishTest("good" + i, "u" + (i % 3));
            good.add("good" + i);
        }
        app.publishTest("bad3", "bad");
        List<WebhookReceiver.Received> flowed = receiver.awaitEvents(r -> isEvent(r) && type(r).startsWith("good"), good.size(),
                WebhookReceiver.SOON);
        assertEquals(good.size(), flowed.size(), "every other user's events went out while bad1 waits for its retry");
        assertEquals(0, receiver.events(r -> isEvent(r) && (type(r).equals("bad2") || type(r).equals("bad3"))).size(),
                "bad's later events wait behind bad1");

        JsonNode admin = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id, null).json();
        assertEquals(1, admin.get("delivery").get("heldKeys").asInt(), admin.toString());
        assertEquals("subject", admin.get("delivery").get("ordering").asText(), admin.toString());
        Http.Reply held = SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id + "/held-keys", null);
        assertEquals(200, held.status(), held.shown());
        assertEquals(1, held.json().size(), held.body());
        assertEquals("users/bad", held.json().get(0).get("key").asText(), held.body());
        assertEquals("bad1", held.json().get(0).get("eventType").asText(), held.body());
        assertEquals(500, held.json().get(0).get("lastHttpStatus").asInt(), held.body());

        badRecovered.set(true);
        List<WebhookReceiver.Received> bad = receiver.awaitEvents(r -> isEvent(r) && user(r).equals("bad"), 3, Duration.ofSeconds(30));
        assertEquals(List.of("bad1", "bad1", "bad2", "bad3"), bad.stream().map(PerSubjectOrderIT::type).toList(),
                "bad's events after its retry, in capture order");
    }

    @Test
    void aReceiverThatPushesBackGetsFewerAtOnceAndMoreAgainOnceItKeepsUp(Keycloak keycloak) {
        AtomicBoolean overloaded = new AtomicBoolean(true);
        receiver.answer(request -> isEvent(request) && overloaded.get() ? 503 : 200);
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("window");
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/window"), "subject", 8).status());
        for (int i = 0; i < 8; i++) {
            app.publishTest("busy" + i, "w" + i);
        }
        receiver.awaitAttempts(r -> isEvent(r) && type(r).startsWith("busy"), 8, WebhookReceiver.SOON);
        int shrunk = awaitWindow(keycloak, id, window -> window < 8);
        assertTrue(shrunk <= 4, "503s halved the window at least once: " + shrunk);

        overloaded.set(false);
        receiver.awaitAttempts(r -> isEvent(r) && type(r).startsWith("busy"), 16, Duration.ofSeconds(30)); // each retried once
        for (int i = 0; i < 30; i++) {
            app.publishTest("calm" + i, "w" + (i % 8));
        }
        receiver.awaitEvents(r -> isEvent(r) && type(r).startsWith("calm"), 30, WebhookReceiver.SOON);
        int grown = awaitWindow(keycloak, id, window -> window > shrunk);
        assertTrue(grown > shrunk, "grew back while the receiver kept up: " + shrunk + " -> " + grown);
    }

    @Test
    void aRetryAfterOnA503PausesTheWholeSubscriptionAndTheAdministratorSeesWhy(Keycloak keycloak) {
        AtomicInteger answered = new AtomicInteger();
        receiver.answer(request -> isEvent(request) && answered.getAndIncrement() == 0 ? 503 : 200);
        receiver.answerHeaders(Map.of("Retry-After", "4"));
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("paused");
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/paused"), "subject", 4).status());
        app.publishTest("first", "p1");
        receiver.awaitAttempts(r -> isEvent(r) && type(r).equals("first"), 1, WebhookReceiver.SOON);
        long pausedAt = System.currentTimeMillis();
        app.publishTest("other", "p2"); // another user: held by the pause, not by a key
        JsonNode delivery = awaitAdminView(keycloak, id, view -> "RECEIVER".equals(view.path("delivery").path("blockedBy").asText()))
                .get("delivery");
        assertTrue(delivery.has("blockedUntil"), delivery.toString());
        List<WebhookReceiver.Received> other = receiver.awaitEvents(r -> isEvent(r) && type(r).equals("other"), 1, WebhookReceiver.SOON);
        assertTrue(other.get(0).receivedAtMillis() - pausedAt >= 3_000,
                "nothing went to the receiver before its Retry-After ended: " + (other.get(0).receivedAtMillis() - pausedAt) + " ms");
    }

    private static int awaitWindow(Keycloak keycloak, String id, IntPredicate wanted) {
        return awaitAdminView(keycloak, id, view -> wanted.test(view.get("delivery").get("window").asInt())).get("delivery").get("window").asInt();
    }

    private static JsonNode awaitAdminView(Keycloak keycloak, String id, Predicate<JsonNode> wanted) {
        return Await.until("the administrators' view of " + id + " as wanted", WebhookReceiver.SOON,
                () -> SubscriptionsAdminApi.asAdmin(keycloak, "GET", "/" + id, null).json(), wanted);
    }
}
