package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.ScratchRealm;
import dev.kcintegrations.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receiver built for SAP Concur accepts a connection only from a pinned client certificate with its expected
 * subject. The realm's administrator makes one with that subject (or imports the enterprise CA's), the receiver
 * downloads it from {@code events/v4/client-certificates}, and every POST of the realm (the verification at save
 * included) presents it. Without it, or with another, the receiver refuses in the handshake and the attempt log says
 * what was presented. A successor is published before it is presented: a receiver that pins both loses nothing
 * across the switch. Each test has a realm of its own: the certificate is the realm's.
 */
@KeycloakIntegrationTest
class WebhookClientCertificateIT {

    static final String CONCUR_CN = "webhook.api.concursolutions.com";
    static final String SUBJECT = "CN=" + CONCUR_CN + ",O=Example Enterprise";

    @Test
    void aReceiverThatDemandsTheSubjectGetsTheVerificationAndEveryEvent(Keycloak keycloak) {
        String realm = "mtls-demand";
        ScratchRealm.create(keycloak.admin(), realm);
        try (ClientAuthReceiver receiver = ClientAuthReceiver.start(CONCUR_CN)) {
            Ess app = Ess.inRealm(keycloak, realm, ScratchRealm.APP, ScratchRealm.APP_SECRET);
            String id = Ess.uniqueId("mtls");

            Http.Reply refused = app.subscribe(id, ".*", "public.test", receiver.url("/" + id));
            assertEquals(400, refused.status(), refused.shown());
            assertTrue(refused.body().contains("TLS connection refused or dropped by the receiver")
                    && refused.body().contains("presented no client certificate"), "the save says why: " + refused.shown());

            Http.Reply made = keycloak.admin().call("POST", "/" + realm + "/event-subscriptions/client-certificates",
                    Map.of("subject", "CN=" + CONCUR_CN + ", O=Example Enterprise", "validityDays", 30));
            assertEquals(201, made.status(), made.shown());
            assertEquals(SUBJECT, made.json().get("subject").asText());
            assertEquals("PRESENTED", made.json().get("state").asText(), "the realm's first certificate is presented at once");
            assertEquals(SUBJECT, made.json().get("issuer").asText(), "made here: self-signed");

            JsonNode published = Http.get(keycloak.realmUrl(realm, "/events/v4/client-certificates"), Map.of()).json();
            assertEquals(1, published.get("certificates").size(), published.toString());
            assertFalse(published.toString().contains("PRIVATE") || published.toString().toLowerCase().contains("privatekey"),
                    "a receiver downloads the certificate, never the key: " + published);
            receiver.pin(pems(published));

            Http.Reply saved = app.subscribe(id, ".*", "public.test", receiver.url("/" + id));
            assertEquals(200, saved.status(), saved.shown());
            app.publishTest("overMutualTls");
            Await.until("the event over mutual TLS", WebhookReceiver.SOON,
                    () -> receiver.arrivals().stream().anyMatch(a -> a.body().contains("overMutualTls")));
            assertTrue(receiver.arrivals().stream().allMatch(a -> a.subject().equals(SUBJECT)), receiver.arrivals().toString());

            // Another certificate (the tests' localhost one, imported from its PKCS#12 key store): refused, and said so.
            receiver.pin(List.of());
            String other = keycloak.admin().get("/" + realm + "/event-subscriptions/client-certificates").get(0).get("id").asText();
            assertEquals(204, keycloak.admin().call("DELETE", "/" + realm + "/event-subscriptions/client-certificates/" + other, null).status());
            Http.Reply imported = keycloak.admin().call("POST", "/" + realm + "/event-subscriptions/client-certificates",
                    Map.of("pkcs12", Base64.getEncoder().encodeToString(read(TestCertificates.keyStore())), "password", TestCertificates.PASSWORD));
            assertEquals(201, imported.status(), imported.shown());
            assertEquals("CN=localhost", imported.json().get("subject").asText());
            assertEquals("IMPORTED", imported.json().get("origin").asText());
            app.publishTest("notPinned");
            JsonNode attempt = Ess.awaitDelivery(app, id, d -> d.get("attempts").asInt() >= 1 && d.toString().contains("notPinned"));
            assertTrue(attempt.path("lastError").asText().startsWith("TLS connection refused or dropped by the receiver")
                    && attempt.path("lastError").asText().endsWith("presented client certificate CN=localhost"), attempt.toString());
            assertFalse(receiver.arrivals().stream().anyMatch(a -> a.body().contains("notPinned")), "nothing reached the receiver");
        } finally {
            keycloak.admin().delete("/" + realm);
        }
    }

    /**
     * The realm presents one certificate; the administrator makes its successor, presented four seconds later (the
     * overlap, shortened). The receiver pins both as published, events go out all along: every one arrives, none
     * before the switch under the new certificate, and the later ones under the new.
     */
    @Test
    void aSuccessorPublishedBeforeItIsPresentedLosesNothingAcrossTheSwitch(Keycloak keycloak) {
        String realm = "mtls-rotation";
        ScratchRealm.create(keycloak.admin(), realm);
        try (ClientAuthReceiver receiver = ClientAuthReceiver.start(CONCUR_CN)) {
            String path = "/" + realm + "/event-subscriptions/client-certificates";
            assertEquals(201, keycloak.admin().call("POST", path, Map.of("subject", "CN=" + CONCUR_CN + ",OU=2026")).status());
            Instant switchAt = Instant.now().plusSeconds(4);
            Http.Reply next = keycloak.admin().call("POST", path, Map.of("subject", "CN=" + CONCUR_CN + ",OU=2027", "activeFrom", switchAt.toString()));
            assertEquals(201, next.status(), next.shown());
            assertEquals("NEXT", next.json().get("state").asText(), "published, not yet presented");
            JsonNode published = Http.get(keycloak.realmUrl(realm, "/events/v4/client-certificates"), Map.of()).json();
            assertEquals(List.of("NEXT", "PRESENTED"), StreamSupport.stream(published.get("certificates").spliterator(), false)
                    .map(c -> c.get("state").asText()).toList(), published.toString());
            receiver.pin(pems(published));

            Ess app = Ess.inRealm(keycloak, realm, ScratchRealm.APP, ScratchRealm.APP_SECRET);
            String id = Ess.uniqueId("rotation");
            assertEquals(200, app.subscribe(id, ".*", "public.test", receiver.url("/" + id)).status());
            List<String> sent = new ArrayList<>();
            // One event a second (test events are limited per minute): the switch comes within 4 s and the node's 10 s cache.
            Await.until("an event presented with the successor", Duration.ofSeconds(40), Duration.ofSeconds(1), () -> {
                String event = "rotation" + sent.size();
                assertEquals(202, app.publishTest(event).status());
                sent.add(event);
                return receiver.arrivals().stream().anyMatch(a -> a.subject().endsWith("OU=2027"));
            }, Boolean::booleanValue);
            Await.until("every event sent across the switch", WebhookReceiver.SOON,
                    () -> sent.stream().allMatch(event -> receiver.arrivals().stream().anyMatch(a -> a.body().contains("\"" + event + "\""))));
            String deliveries = app.deliveries(id, null).toString();
            assertTrue(deliveries.contains("rotation0"), deliveries);
            assertFalse(deliveries.toString().contains("TLS connection refused"), "no attempt was refused: " + deliveries);
            assertTrue(receiver.arrivals().stream().filter(a -> a.at() < switchAt.toEpochMilli()).allMatch(a -> a.subject().endsWith("OU=2026")),
                    "before its activeFrom the successor is never presented: " + receiver.arrivals());
        } finally {
            keycloak.admin().delete("/" + realm);
        }
    }

    /** What an administrator sends wrong is a 400 that says what, never a 500, and the key is never answered. */
    @Test
    void badRequestsAreRefusedWithTheReason(Keycloak keycloak) {
        String path = "/" + Ess.REALM + "/event-subscriptions/client-certificates";
        Map<Map<String, Object>, String> refusals = Map.of(
                Map.of("subject", "CN=ok", "privateKey", "x"), "Unknown field privateKey",
                Map.of("subject", "not a name"), "subject is not an X.500 name",
                Map.of("subject", "CN=ok", "pkcs12", "AAAA"), "not both",
                Map.of("pkcs12", "AAAA", "password", "x"), "pkcs12 could not be read",
                Map.of("subject", "CN=ok", "validityDays", 0), "validityDays must be 1-3650",
                Map.of("subject", "CN=ok", "activeFrom", "tomorrow"), "activeFrom must be an ISO-8601 instant",
                Map.of(), "Give subject");
        refusals.forEach((body, reason) -> {
            Http.Reply reply = keycloak.admin().call("POST", path, body);
            assertEquals(400, reply.status(), body + " -> " + reply.shown());
            assertTrue(reply.json().path("errorMessage").asText().contains(reason), body + " -> " + reply.shown());
        });
        assertEquals(404, keycloak.admin().call("DELETE", path + "/no-such-certificate", null).status());
    }

    /**
     * A client certificate is a credential of its realm. An events administrator ({@code manage-events} and
     * {@code view-events}, not {@code manage-realm}) may list it but neither make nor delete one; a user with no
     * realm-management role may not even list it; the administrator of another realm, holding {@code manage-realm}
     * there, neither reaches it through their own realm by its id nor lists it there, and their token is refused here.
     * Two scratch realms: the demo realm's presented certificate is never touched.
     */
    @Test
    void onlyTheRealmsOwnManagerMakesOrDeletesItsCertificates(Keycloak keycloak) {
        String target = Ess.uniqueId("cert-target");
        String other = Ess.uniqueId("cert-other");
        try {
            ScratchRealm.create(keycloak.admin(), target);
            ScratchRealm.create(keycloak.admin(), other);
            String certificates = "/" + target + "/event-subscriptions/client-certificates";
            Http.Reply made = keycloak.admin().call("POST", certificates, Map.of("subject", "CN=target.example"));
            assertEquals(201, made.status(), made.shown());
            String id = made.json().get("id").asText();

            String eventsAdmin = RealmUsers.userOfRealm(keycloak, target, "events-admin", "manage-events", "view-events");
            String nobody = RealmUsers.userOfRealm(keycloak, target, "nobody");
            String othersManager = RealmUsers.userOfRealm(keycloak, other, "other-manager", "manage-realm", "view-events");

            assertEquals(200, asAdmin(keycloak, eventsAdmin, "GET", certificates, null).status(), "view-events lists them");
            assertEquals(403, asAdmin(keycloak, eventsAdmin, "POST", certificates, "{\"subject\":\"CN=mine\"}").status());
            assertEquals(403, asAdmin(keycloak, eventsAdmin, "DELETE", certificates + "/" + id, null).status());
            assertEquals(403, asAdmin(keycloak, nobody, "GET", certificates, null).status());

            String theirs = "/" + other + "/event-subscriptions/client-certificates";
            assertEquals(404, asAdmin(keycloak, othersManager, "DELETE", theirs + "/" + id, null).status(),
                    "another realm's certificate is not found through this realm");
            Http.Reply listed = asAdmin(keycloak, othersManager, "GET", theirs, null);
            assertEquals(200, listed.status(), listed.shown());
            assertFalse(listed.body().contains(id), listed.body());
            int refused = asAdmin(keycloak, othersManager, "DELETE", certificates + "/" + id, null).status();
            assertTrue(refused == 401 || refused == 403, "another realm's token is refused here: " + refused);

            JsonNode left = keycloak.admin().get(certificates);
            assertEquals(1, left.size(), left.toString());
            assertEquals(id, left.get(0).get("id").asText(), "every attempt left the certificate in place");
        } finally {
            keycloak.admin().delete("/" + target);
            keycloak.admin().delete("/" + other);
        }
    }

    /** An admin REST call under {@code /admin/realms} with a realm user's token. */
    private static Http.Reply asAdmin(Keycloak keycloak, String token, String method, String path, String body) {
        return Http.send(method, keycloak.baseUrl().resolve("/admin/realms" + path),
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> pems(JsonNode published) {
        return StreamSupport.stream(published.get("certificates").spliterator(), false).map(c -> c.get("pem").asText()).toList();
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
