package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.Metrics;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the retention window ends undelivered, the delivery is parked as failed, visible, and can be queued
 * again. Runs on its own server with a retention of seconds instead of 72 hours.
 */
@OwnServerTest
class WebhookRetentionIT {

    static final String ENGINE = "--spi-events-listener--webhook-events--";
    private static KeycloakServer server;
    private static Keycloak keycloak;

    @BeforeAll
    static void startOwnServer() {
        server = KeycloakServers.startDistribution("ess-retention", List.of(
                ENGINE + "retry-schedule=1s", ENGINE + "retention=6s", ENGINE + "history=20s", ENGINE + "connect-timeout=1s",
                ENGINE + "read-timeout=2s", ENGINE + "attempt-timeout=4s", ENGINE + "lease=5s", ENGINE + "housekeeping-interval=2s",
                ENGINE + "signing-key-lifetime=8s", ENGINE + "signing-key-overlap=1h", ENGINE + "client-certificate-overlap=12h"));
        keycloak = new Keycloak(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /**
     * Deliveries retried until their retention ended are parked, and the owner's subscription to
     * {@code keycloak.webhooks} is told how many: as they happen, not by polling.
     */
    @Test
    void parkedDeliveriesAreToldToTheOwnersOperationalSubscriptionWithTheirCount() {
        try (WebhookReceiver failing = WebhookReceiver.start(); WebhookReceiver operations = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read", "events.webhooks.read"));
            assertEquals(200, app.subscribe(Ess.uniqueId("ops"), ".*", "keycloak.webhooks", operations.url("/ops")).status());
            String id = Ess.uniqueId("parking");
            failing.answer(request -> request.body().contains("subscription.verification") ? 200 : 503);
            assertEquals(200, app.subscribe(id, ".*", "public.test", failing.url("/parking")).status());
            app.publishTest("neverAccepted1");
            app.publishTest("neverAccepted2");
            Await.until("both deliveries parked", Duration.ofSeconds(40),
                    () -> app.deliveries(id, "PARKED").size() == 2);
            // One notice per group commit or housekeeping run that parked some: their counts add up to the parked deliveries.
            Await.until("notices of both parked deliveries", Duration.ofSeconds(20), () -> operations.events(r -> r.body().contains(
                    "\"deliveries.parked\"") && r.body().contains(id)).stream().mapToInt(r -> WebhookReceiver.json(r).at("/facts/count").asInt()).sum(),
                    counted -> counted == 2);
        }
    }

    /**
     * Keycloak rotates what it made: a client certificate of one day, with client-certificate-overlap 12 h, gets its
     * successor (same subject, a new key) at the next housekeeping run, published now and presented 12 h later; the
     * owner of a keycloak.webhooks subscription is told of both certificates, and of each signing key that retires
     * (signing-key-lifetime is 8 s here).
     */
    @Test
    void keycloakRotatesTheCertificateItMadeAndOperationsAreToldOfEveryRotation() {
        try (WebhookReceiver operations = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read", "events.webhooks.read"));
            assertEquals(200, app.subscribe(Ess.uniqueId("ops"), ".*", "keycloak.webhooks", operations.url("/ops")).status());
            Http.Reply made = keycloak.admin().call("POST", "/" + Ess.REALM + "/event-subscriptions/client-certificates",
                    Map.of("subject", "CN=rotating.example", "validityDays", 1));
            assertEquals(201, made.status(), made.shown());
            JsonNode published = Await.until("a successor published", Duration.ofSeconds(30),
                    () -> Http.get(keycloak.realmUrl(Ess.REALM, "/events/v4/client-certificates"), Map.of()).json().get("certificates"),
                    certificates -> certificates.size() == 2);
            assertEquals("NEXT", published.get(0).get("state").asText(), published.toString());
            assertEquals("PRESENTED", published.get(1).get("state").asText(), published.toString());
            assertEquals("CN=rotating.example", published.get(0).get("subject").asText());
            assertTrue(!published.get(0).get("sha256").asText().equals(published.get(1).get("sha256").asText()), "a new certificate");
            long presentedIn = Instant.parse(published.get(0).get("activeFrom").asText()).toEpochMilli() - System.currentTimeMillis();
            assertTrue(presentedIn > Duration.ofHours(11).toMillis() && presentedIn <= Duration.ofHours(12).toMillis(),
                    "presented client-certificate-overlap from now: " + published);
            operations.awaitEvents(r -> r.body().contains("\"clientCertificate.added\"") && r.body().contains("CN=rotating.example"), 2,
                    Duration.ofSeconds(30));
            operations.awaitEvents(r -> r.body().contains("\"signingKey.rotated\""), 1, Duration.ofSeconds(40));
        }
    }

    /** Rotation: a new key signs once the old one's lifetime ends, and the old one stays published. */
    @Test
    void webhookSigningKeyIsRotatedAndTheRetiredKeyStaysPublished() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            app.subscribe(Ess.uniqueId("rotation"), ".*", "public.test", receiver.url("/rotation"));
            app.publishTest("beforeRotation");
            String first = kid(receiver.awaitEvents(r -> r.body().contains("beforeRotation"), 1, Duration.ofSeconds(20)).get(0));
            Await.until("a second key published", Duration.ofSeconds(40), () -> jwks().getKeys().size() >= 2);
            // Nodes re-read the signing key within 10 s: events published meanwhile may still carry the first one.
            int[] probe = {0};
            String second = Await.until("an event signed with the new key", Duration.ofSeconds(30), () -> {
                String type = "afterRotation" + probe[0]++;
                app.publishTest(type);
                return kid(receiver.awaitEvents(r -> r.body().contains("\"" + type + "\""), 1, Duration.ofSeconds(20)).get(0));
            }, kid -> !kid.equals(first));
            assertTrue(!first.equals(second), "a new key signs after the rotation");
            assertTrue(jwks().getKeyByKeyId(first) != null && jwks().getKeyByKeyId(second) != null, jwks().toString());
        }
    }

    /**
     * A row keeps the signature made when its event was captured only while that key signs: sent after a
     * rotation, it is signed again with the new key, which the published keys verify.
     */
    @Test
    void aRowCapturedBeforeARotationIsSignedWithTheNewKeyWhenSent() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("resigned");
            app.subscribe(id, ".*", "public.test", receiver.url("/resigned"));
            receiver.answer(request -> request.body().contains("subscription.verification") ? 200 : 503);
            app.publishTest("capturedBeforeRotation");
            String captured = kid(receiver.awaitAttempts(r -> r.body().contains("capturedBeforeRotation"), 1, Duration.ofSeconds(20)).get(0));
            JsonNode parked = Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("PARKED"));
            Await.until("a key other than the capture's signing", Duration.ofSeconds(40),
                    () -> !jwks().getKeys().get(0).getKeyID().equals(captured));
            // Nodes re-read the signing key within 10 s: once a fresh event (another application's, to its own
            // subscription) is signed with another key than the capture's, the retry below is signed with it too.
            Ess probe = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            probe.subscribe(Ess.uniqueId("probe"), ".*", "public.test", receiver.url("/probe"));
            int[] probes = {0};
            Await.until("a fresh event signed with another key than the capture's", Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
                String type = "probe" + probes[0]++;
                probe.publishTest(type);
                return kid(receiver.awaitAttempts(r -> r.body().contains("\"" + type + "\""), 1, Duration.ofSeconds(20)).get(0));
            }, kid -> !kid.equals(captured));
            receiver.answer(204);
            Http.Reply retry = app.call("POST", "/subscriptions/" + id + "/deliveries/" + parked.get("deliveryId").asText() + "/retry", null);
            assertEquals(202, retry.status(), retry.shown());
            Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("DELIVERED"));
            List<WebhookReceiver.Received> attempts = receiver.events(r -> r.body().contains("capturedBeforeRotation"));
            WebhookReceiver.Received delivered = attempts.get(attempts.size() - 1);
            String signedWith = kid(delivered);
            assertTrue(!captured.equals(signedWith), "signed again with the key that signs now, not " + captured);
            RSAKey key = (RSAKey) jwks().getKeyByKeyId(signedWith);
            String detached = delivered.header("concur-signature");
            JWSObject jws = JWSObject.parse(detached.replace("..",
                    "." + Base64URL.encode(delivered.body().getBytes(StandardCharsets.UTF_8)) + "."));
            assertTrue(jws.verify(new RSASSAVerifier(key)), "the new signature verifies with the published key");
        }
    }

    static String kid(WebhookReceiver.Received delivery) throws Exception {
        return JWSObject.parse(delivery.header("concur-signature").replace("..", ".e30.")).getHeader().getKeyID();
    }

    static JWKSet jwks() throws Exception {
        return JWKSet.parse(Http.get(
                keycloak.realmUrl(Ess.REALM, "/events/v4/jwks"), Map.of()).body());
    }

    @Test
    void undeliveredEventIsParkedWhenRetentionEnds() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("parked");
            app.subscribe(id, ".*", "public.test", receiver.url("/parked"));
            receiver.answer(request -> request.body().contains("subscription.verification") ? 200 : 503);
            double parkedBefore = Metrics.sum(keycloak, "kci_webhook_deliveries_total", "outcome=\"parked\"");
            app.publishTest("eventCreated");
            JsonNode parked = Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("PARKED"));
            assertTrue(parked.get("attempts").asInt() >= 2, parked.toString());
            assertTrue(Metrics.sum(keycloak, "kci_webhook_deliveries_total", "outcome=\"parked\"") >= parkedBefore + 1,
                    "kci_webhook_deliveries_total{outcome=parked} counts it");
            assertTrue(parked.get("lastError").asText().contains("retention"), parked.toString());
            assertEquals(1, app.deliveries(id, "PARKED").size());
        }
    }

    @Test
    void parkedDeliveryCanBeQueuedAgainAndIsDelivered() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("replayed");
            app.subscribe(id, ".*", "public.test", receiver.url("/replayed"));
            receiver.stop();
            app.publishTest("eventCreated");
            JsonNode parked = Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("PARKED"));
            receiver.restart();
            Http.Reply retry = app.call("POST", "/subscriptions/" + id + "/deliveries/" + parked.get("deliveryId").asText() + "/retry", null);
            assertEquals(202, retry.status(), retry.shown());
            Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("DELIVERED"));
            assertEquals(1, receiver.events(r -> r.body().contains("eventCreated")).size());
        }
    }

    /**
     * Each requeue starts a new retention, so a subscriber could keep a failing delivery alive for ever: it may
     * queue one delivery again {@code max-requeues} (5) times, and the log keeps its newest 20 attempts.
     */
    @Test
    void aDeliveryIsQueuedAgainAtMostMaxRequeuesTimesAndKeepsItsNewestTwentyAttempts() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("requeued");
            app.subscribe(id, ".*", "public.test", receiver.url("/requeued"));
            receiver.answer(request -> request.body().contains("subscription.verification") ? 200 : 503);
            app.publishTest("eventCreated");
            JsonNode parked = null;
            for (int requeues = 0; requeues <= 5; requeues++) {
                int expected = requeues;
                parked = Ess.awaitDelivery(app, id,
                        d -> d.get("status").asText().equals("PARKED") && d.get("requeues").asInt() == expected);
                Http.Reply retry = app.call("POST", "/subscriptions/" + id + "/deliveries/" + parked.get("deliveryId").asText() + "/retry", null);
                if (requeues < 5) {
                    assertEquals(202, retry.status(), retry.shown());
                } else {
                    assertEquals(409, retry.status(), retry.shown());
                    assertTrue(retry.json().get("message").asText().contains("queued again 5 time(s) already"), retry.body());
                }
            }
            assertTrue(parked.get("attempts").asInt() > 20, "six retentions of 1 s retries: " + parked);
            JsonNode log = parked.get("attemptLog");
            assertEquals(20, log.size(), parked.toString());
            assertTrue(Instant.parse(log.get(19).get("at").asText())
                    .isAfter(Instant.parse(log.get(0).get("at").asText())), "oldest first, newest kept: " + log);
            assertFalse(Instant.parse(log.get(19).get("at").asText())
                    .isBefore(Instant.parse(parked.get("createdAt").asText())), "the last requeue's attempts are kept: " + parked);
        }
    }

    /**
     * Housekeeping purges finished rows: delivered ones once retention (6 s here) has passed, rejected and
     * parked ones (with their attempts) after the history period (20 s here).
     */
    @Test
    void finishedDeliveriesArePurgedDeliveredAfterRetentionRejectedAndParkedAfterHistory() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.answer(request -> request.body().contains("subscription.verification") ? 200
                    : request.body().contains("purgeRejected") ? 400 : request.body().contains("purgeParked") ? 503 : 200);
            Map<String, String> finalStatus = Map.of("purgeDelivered", "DELIVERED", "purgeRejected", "REJECTED", "purgeParked", "PARKED");
            Map<String, Ess> apps = new HashMap<>();
            Map<String, String> ids = new HashMap<>();
            for (String type : finalStatus.keySet()) {
                Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
                String id = Ess.uniqueId(type.toLowerCase(Locale.ROOT));
                app.subscribe(id, ".*", "public.test", receiver.url("/" + id));
                app.publishTest(type);
                apps.put(type, app);
                ids.put(type, id);
            }
            // One loop watches all three: the delivered row may be purged while the parked one is still retried.
            Map<String, Long> finishedAt = new HashMap<>();
            Map<String, Long> purgedAfter = new HashMap<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (purgedAfter.size() < 3 && System.currentTimeMillis() < deadline) {
                for (String type : finalStatus.keySet()) {
                    List<JsonNode> rows = apps.get(type).deliveries(ids.get(type), null);
                    if (!finishedAt.containsKey(type) && rows.size() == 1 && rows.get(0).get("status").asText().equals(finalStatus.get(type))) {
                        finishedAt.put(type, System.currentTimeMillis());
                    } else if (finishedAt.containsKey(type) && !purgedAfter.containsKey(type) && rows.isEmpty()) {
                        purgedAfter.put(type, System.currentTimeMillis() - finishedAt.get(type));
                    }
                }
                Await.pause(Duration.ofMillis(200));
            }
            assertEquals(finalStatus.keySet(), purgedAfter.keySet(), "every finished row is purged: " + purgedAfter);
            assertTrue(purgedAfter.get("purgeDelivered") < 15_000, "delivered: after retention, " + purgedAfter);
            assertTrue(purgedAfter.get("purgeRejected") >= 15_000 && purgedAfter.get("purgeParked") >= 15_000,
                    "rejected and parked: after history, " + purgedAfter);
        }
    }

    @Test
    void deletedSubscriptionIsPurgedAndItsIdFreedForAnyApplication() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess first = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            Ess second = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("purged");
            assertEquals(200, first.subscribe(id, ".*", "public.test", receiver.url("/purged")).status());
            receiver.stop();
            first.publishTest("eventCreated");
            Ess.awaitDelivery(first, id, d -> d.get("attempts").asInt() >= 1);
            assertEquals(200, first.delete(id).status());
            receiver.restart();
            assertEquals(409, second.subscribe(id, ".*", "public.test", receiver.url("/purged")).status(),
                    "a deleted id stays its owner's until housekeeping purges it");
            // Every try saves a subscription, whose verification is rate-limited per application: every 500 ms.
            int status = Await.until("the id free once housekeeping purged the subscription", Duration.ofSeconds(40), Duration.ofMillis(500),
                    () -> second.subscribe(id, ".*", "public.test", receiver.url("/purged")).status(), answer -> answer != 409);
            assertEquals(200, status, "housekeeping purged the cancelled deliveries and then the subscription");
        }
    }

    @Test
    void heldEventsBehindAnExpiredOneAreParkedToo() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("held");
            app.subscribe(id, ".*", "public.test", receiver.url("/held"));
            receiver.stop();
            app.publishTest("first");
            app.publishTest("second");
            Await.until("both events parked", Duration.ofSeconds(30), () -> app.deliveries(id, "PARKED"), parked -> parked.size() >= 2);
            assertEquals(2, app.deliveries(id, "PARKED").size(), app.deliveries(id, null).toString());
        }
    }
}
