package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Predicate;

import static dev.kcintegrations.events.WebhookReceiver.SOON;
import static dev.kcintegrations.events.WebhookReceiver.about;
import static dev.kcintegrations.events.Ess.awaitDelivery;
import static dev.kcintegrations.events.RealmUsers.login;
import static dev.kcintegrations.events.RealmUsers.newUser;
import static dev.kcintegrations.testing.Await.pause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscription delivers only while its application may read the topic: the right is checked when an event
 * is captured and before every send, not only when the subscription was made. A control application,
 * subscribed to the same events, shows when an event was captured and sent, so a negative check waits for
 * a delivery that did happen instead of for a fixed time.
 *
 * <p>On a server of its own, with the default options: most of its time is spent waiting for a retry that must not
 * come, so it runs in the own-server lane beside the shared-server classes (TestTags), and what it revokes
 * (applications disabled, scopes removed) stays away from the shared realm.
 */
@OwnServerTest
class SubscriberRevocationIT {

    private static KeycloakServer server;
    private static Keycloak keycloak;

    @BeforeAll
    static void startOwnServer() {
        server = KeycloakServers.startDistribution("revocation");
        keycloak = new Keycloak(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /** Longer than the first retry delay (5 s, +10 % jitter): a held delivery would have been sent by then. */
    static final Duration PAST_A_RETRY = Duration.ofSeconds(7);

    WebhookReceiver receiver;
    WebhookReceiver control;

    @BeforeEach
    void startReceivers() {
        receiver = WebhookReceiver.start();
        control = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceivers() {
        receiver.close();
        control.close();
    }

    record Subscribed(Ess app, String clientUuid, String subscription) {
    }

    Subscribed subscribeToLogins(Keycloak keycloak, WebhookReceiver to) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("revoked");
        assertEquals(200, app.subscribe(id, "LOGIN", "keycloak.user", to.url("/" + id)).status());
        return new Subscribed(app, keycloak.admin().clientUuid(Ess.REALM, app.clientId()), id);
    }

    static void setEnabled(Keycloak keycloak, Subscribed s, boolean enabled) {
        ObjectNode client = (ObjectNode) keycloak.admin().get("/" + Ess.REALM + "/clients/" + s.clientUuid());
        client.put("enabled", enabled);
        keycloak.admin().put("/" + Ess.REALM + "/clients/" + s.clientUuid(), client);
    }

    static String scopeId(Keycloak keycloak, String name) {
        for (JsonNode scope : keycloak.admin().get("/" + Ess.REALM + "/client-scopes")) {
            if (scope.get("name").asText().equals(name)) {
                return scope.get("id").asText();
            }
        }
        throw new AssertionError("no client scope " + name);
    }

    static void removeScope(Keycloak keycloak, Subscribed s, String scope) {
        keycloak.admin().delete("/" + Ess.REALM + "/clients/" + s.clientUuid() + "/default-client-scopes/" + scopeId(keycloak, scope));
    }

    static void addScope(Keycloak keycloak, Subscribed s, String scope) {
        keycloak.admin().put("/" + Ess.REALM + "/clients/" + s.clientUuid() + "/default-client-scopes/" + scopeId(keycloak, scope), null);
    }

    /** A user signs in; returns the user's id once the control subscription received that login. */
    String signInSeenByControl(Keycloak keycloak) {
        String username = Ess.uniqueId("revocation-user");
        String userId = newUser(keycloak, username);
        assertEquals(200, login(keycloak, username, "Secret-" + username).status());
        control.awaitEvents(r -> about(r, userId), 1, SOON);
        return userId;
    }

    @Test
    void disabledApplicationIsNotSentALoginThatHappensWhileItIsDisabled() {
        Subscribed revoked = subscribeToLogins(keycloak, receiver);
        subscribeToLogins(keycloak, control);
        String before = signInSeenByControl(keycloak);
        receiver.awaitEvents(r -> about(r, before), 1, SOON); // it did receive logins while enabled

        setEnabled(keycloak, revoked, false);
        String during = signInSeenByControl(keycloak);
        pause(Duration.ofSeconds(2)); // both were captured in one transaction; the control's arrived
        assertEquals(0, receiver.events(r -> about(r, during)).size(), "a disabled client receives nothing");
    }

    @Test
    void applicationThatLostTheTopicsScopeIsNotSentLogins() {
        Subscribed revoked = subscribeToLogins(keycloak, receiver);
        subscribeToLogins(keycloak, control);
        String before = signInSeenByControl(keycloak);
        receiver.awaitEvents(r -> about(r, before), 1, SOON);

        removeScope(keycloak, revoked, "events.user.read");
        String during = signInSeenByControl(keycloak);
        pause(Duration.ofSeconds(2));
        assertEquals(0, receiver.events(r -> about(r, during)).size(), "without events.user.read nothing is delivered");
    }

    @Test
    void pendingDeliveryWaitsVisiblyWhileTheScopeIsGoneAndGoesOutWhenItReturns() {
        Subscribed revoked = subscribeToLogins(keycloak, receiver);
        receiver.stop();
        String userId = Ess.uniqueId("waiting-user");
        newUser(keycloak, userId);
        assertEquals(200, login(keycloak, userId, "Secret-" + userId).status());
        awaitDelivery(revoked.app(), revoked.subscription(), d -> d.get("attempts").asInt() >= 1);

        removeScope(keycloak, revoked, "events.user.read");
        receiver.restart();
        Ess app = Ess.application(keycloak, revoked.app().clientId()); // its new token lacks events.user.read
        JsonNode listing = awaitListing(app, revoked.subscription(), l -> l.get("subscriptionStatus").asText().equals("SUSPENDED"));
        assertTrue(listing.get("statusReason").asText().contains("no longer has the scopes of topic keycloak.user"), listing.toString());
        JsonNode waiting = listing.get("deliveries").get(0);
        assertEquals("PENDING", waiting.get("status").asText());
        assertEquals(0, receiver.events(r -> true).size(), "nothing was sent while the scope was gone");

        addScope(keycloak, revoked, "events.user.read");
        receiver.awaitEvents(r -> true, 1, Duration.ofSeconds(30));
        JsonNode delivered = awaitDelivery(app, revoked.subscription(), d -> d.get("status").asText().equals("DELIVERED"));
        assertEquals(2, delivered.get("attempts").asInt(), "one failed attempt before, one send after: none meanwhile");
        assertEquals("ACTIVE", awaitListing(app, revoked.subscription(), l -> true).get("subscriptionStatus").asText());
    }

    /**
     * Access is checked again while a lane sends what it read, not only when it reads: with a receiver that
     * takes 1.5 s an answer, a lane's read of five events of one user took 7.5 s to send, and an application
     * disabled after the first still got all five.
     */
    @Test
    void anApplicationDisabledWhileItsQueueIsSentGetsNothingMore() {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("draining");
        assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
        Subscribed revoked = new Subscribed(app, keycloak.admin().clientUuid(Ess.REALM, app.clientId()), id);
        receiver.answer(r -> {
            pause(Duration.ofMillis(1500)); // a receiver some work away
            return 200;
        });
        for (int i = 0; i < 5; i++) {
            // One user's events: one at a time (ordering subject keeps a subject's events in order), 1.5 s each.
            assertEquals(202, app.publishTest("slow" + i, "one-user").status());
        }
        receiver.awaitEvents(r -> about(r, "slow0"), 1, SOON);
        setEnabled(keycloak, revoked, false);
        pause(Duration.ofSeconds(8)); // the five would all have been sent by now
        int sent = receiver.events(r -> about(r, "\"slow")).size();
        assertTrue(sent <= 2, sent + " of 5 were sent, though the application was disabled after the first arrived");
        setEnabled(keycloak, revoked, true);
        receiver.awaitEvents(r -> about(r, "\"slow"), 5, Duration.ofSeconds(60)); // enabled again, the rest goes out
    }

    @Test
    void pendingDeliveryOfADisabledApplicationWaitsAndGoesOutOnlyOnceItIsEnabledAgain() {
        Subscribed revoked = subscribeToLogins(keycloak, receiver);
        receiver.stop();
        String userId = Ess.uniqueId("disabled-user");
        newUser(keycloak, userId);
        assertEquals(200, login(keycloak, userId, "Secret-" + userId).status());
        awaitDelivery(revoked.app(), revoked.subscription(), d -> d.get("attempts").asInt() >= 1);

        setEnabled(keycloak, revoked, false);
        receiver.restart();
        pause(PAST_A_RETRY);
        assertEquals(0, receiver.events(r -> true).size(), "nothing is sent to a disabled application");

        setEnabled(keycloak, revoked, true);
        receiver.awaitEvents(r -> true, 1, Duration.ofSeconds(30));
        JsonNode delivered = awaitDelivery(Ess.application(keycloak, revoked.app().clientId()), revoked.subscription(),
                d -> d.get("status").asText().equals("DELIVERED"));
        assertEquals(2, delivered.get("attempts").asInt(), "no attempt while it was disabled");
    }

    @Test
    void deletedApplicationsPendingDeliveriesAreCancelledAndNeverSent() {
        Subscribed revoked = subscribeToLogins(keycloak, receiver);
        subscribeToLogins(keycloak, control);
        receiver.stop();
        String userId = signInSeenByControl(keycloak);
        awaitDelivery(revoked.app(), revoked.subscription(), d -> d.get("attempts").asInt() >= 1);

        keycloak.admin().delete("/" + Ess.REALM + "/clients/" + revoked.clientUuid());
        receiver.restart();
        pause(PAST_A_RETRY);
        assertEquals(0, receiver.events(r -> about(r, userId)).size(), "a deleted application receives nothing");
    }

    static JsonNode awaitListing(Ess app, String subscription, Predicate<JsonNode> condition) {
        return Await.until("the subscription " + subscription + " in the expected state", Duration.ofSeconds(30), () -> {
            Http.Reply reply = app.get("/subscriptions/" + subscription + "/deliveries");
            assertEquals(200, reply.status(), reply.shown());
            return reply.json();
        }, condition);
    }
}
