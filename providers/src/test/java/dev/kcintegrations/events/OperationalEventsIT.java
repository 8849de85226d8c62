package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static dev.kcintegrations.events.OperationalNotices.OPERATIONS;
import static dev.kcintegrations.events.OperationalNotices.about;
import static dev.kcintegrations.events.OperationalNotices.administratorsApplication;
import static dev.kcintegrations.events.OperationalNotices.facts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic {@code keycloak.webhooks}: an application subscribed to it learns, as it happens, that one of its
 * subscriptions was disabled (and by whom), enabled again, or that an endpoint refused a verification; an application
 * whose service account may view the realm's events learns it of every application's; no other application learns
 * anything, and no subscription is told about itself.
 */
@KeycloakIntegrationTest
class OperationalEventsIT {

    @Test
    void theOwnerAndAnAdministratorsApplicationAreToldOfADisableAndAnEnableAndNoOtherApplicationIs(Keycloak keycloak) {
        try (WebhookReceiver owners = WebhookReceiver.start(); WebhookReceiver others = WebhookReceiver.start();
             WebhookReceiver administrators = WebhookReceiver.start(); WebhookReceiver hook = WebhookReceiver.start()) {
            Ess owner = Ess.application(keycloak, Ess.newApplication(keycloak, OPERATIONS));
            Ess other = Ess.application(keycloak, Ess.newApplication(keycloak, OPERATIONS));
            Ess administrator = Ess.application(keycloak, administratorsApplication(keycloak));
            String ownerOps = Ess.uniqueId("ops");
            String otherOps = Ess.uniqueId("ops");
            String adminOps = Ess.uniqueId("ops");
            assertEquals(200, owner.subscribe(ownerOps, ".*", "keycloak.webhooks", owners.url("/ops")).status());
            assertEquals(200, other.subscribe(otherOps, ".*", "keycloak.webhooks", others.url("/ops")).status());
            assertEquals(200, administrator.subscribe(adminOps, ".*", "keycloak.webhooks", administrators.url("/ops")).status());

            hook.answer(request -> request.body().contains("goneNow") ? 410 : 200);
            String watched = Ess.uniqueId("watched");
            assertEquals(200, owner.subscribe(watched, ".*", "public.test", hook.url("/watched")).status());
            owner.publishTest("goneNow");

            JsonNode disabled = facts(owners.awaitEvents(r -> about(r, "subscription.disabled", watched), 1, WebhookReceiver.SOON).get(0));
            assertEquals(watched, disabled.get("subscriptionId").asText());
            assertEquals(owner.clientId(), disabled.get("clientId").asText());
            assertEquals("public.test", disabled.get("topic").asText());
            assertEquals("DISABLED", disabled.get("status").asText());
            assertEquals("RECEIVER", disabled.get("cause").asText(), "the endpoint answered 410 Gone: " + disabled);
            administrators.awaitEvents(r -> about(r, "subscription.disabled", watched), 1, WebhookReceiver.SOON);

            assertEquals(200, SubscriptionsAdminApi.asAdmin(keycloak, "PUT", "/" + watched + "/status", "{\"status\":\"ACTIVE\"}").status());
            JsonNode enabled = facts(owners.awaitEvents(r -> about(r, "subscription.enabled", watched), 1, WebhookReceiver.SOON).get(0));
            assertEquals("ACTIVE", enabled.get("status").asText());
            administrators.awaitEvents(r -> about(r, "subscription.enabled", watched), 1, WebhookReceiver.SOON);

            // Both were captured with the owner's: another application's subscription got no row of them at all.
            assertEquals(List.of(), other.deliveries(otherOps, null), "another application learns nothing of this one's");
            assertTrue(others.events(r -> r.body().contains(watched)).isEmpty());
        }
    }

    /**
     * The operational subscription's own endpoint answers 410: it is disabled, and that is told to others; enabled
     * again (so it is served when the notice is captured), it is not told that either.
     */
    @Test
    void aSubscriptionIsNeverToldAboutItself(Keycloak keycloak) {
        try (WebhookReceiver owners = WebhookReceiver.start(); WebhookReceiver administrators = WebhookReceiver.start();
             WebhookReceiver hook = WebhookReceiver.start()) {
            Ess owner = Ess.application(keycloak, Ess.newApplication(keycloak, OPERATIONS));
            Ess administrator = Ess.application(keycloak, administratorsApplication(keycloak));
            String ownerOps = Ess.uniqueId("selfops");
            String adminOps = Ess.uniqueId("ops");
            assertEquals(200, administrator.subscribe(adminOps, ".*", "keycloak.webhooks", administrators.url("/ops")).status());
            owners.answer(request -> request.body().contains("subscription.disabled") ? 410 : 200);
            assertEquals(200, owner.subscribe(ownerOps, ".*", "keycloak.webhooks", owners.url("/ops")).status());
            String watched = Ess.uniqueId("watched");
            hook.answer(request -> request.body().contains("goneNow") ? 410 : 200);
            assertEquals(200, owner.subscribe(watched, ".*", "public.test", hook.url("/watched")).status());
            owner.publishTest("goneNow");
            // The owner's operational subscription gets "watched disabled", answers 410 and is disabled in turn.
            administrators.awaitEvents(r -> about(r, "subscription.disabled", ownerOps), 1, WebhookReceiver.SOON);
            Await.until("the owner's operational subscription disabled", WebhookReceiver.SOON,
                    () -> keycloak.admin().get("/" + Ess.REALM + "/event-subscriptions/" + ownerOps).get("status").asText().equals("DISABLED"));
            // Enabled again, it is served: the notice of that goes to the administrators' subscription, not to itself.
            assertEquals(200, SubscriptionsAdminApi.asAdmin(keycloak, "PUT", "/" + ownerOps + "/status", "{\"status\":\"ACTIVE\"}").status());
            administrators.awaitEvents(r -> about(r, "subscription.enabled", ownerOps), 1, WebhookReceiver.SOON);
            assertFalse(owner.deliveries(ownerOps, null).stream().anyMatch(d -> d.toString().contains(ownerOps)),
                    "nothing about itself was queued for it: " + owner.deliveries(ownerOps, null));
            assertTrue(owners.events(r -> r.body().contains("\"subscriptionId\":\"" + ownerOps + "\"")).isEmpty(), "nor sent to it");
        }
    }

    @Test
    void anEndpointThatRefusesTheVerificationIsToldToTheOwner(Keycloak keycloak) {
        try (WebhookReceiver owners = WebhookReceiver.start(); WebhookReceiver refusing = WebhookReceiver.start()) {
            Ess owner = Ess.application(keycloak, Ess.newApplication(keycloak, OPERATIONS));
            String ownerOps = Ess.uniqueId("ops");
            assertEquals(200, owner.subscribe(ownerOps, ".*", "keycloak.webhooks", owners.url("/ops")).status());
            refusing.answer(500);
            String refused = Ess.uniqueId("refused");
            Http.Reply save = owner.subscribe(refused, ".*", "public.test", refusing.url("/refused"));
            assertEquals(400, save.status(), save.shown());
            JsonNode facts = facts(owners.awaitEvents(r -> about(r, "verification.failed", refused), 1, WebhookReceiver.SOON).get(0));
            assertEquals(refusing.url("/refused").toString(), facts.get("endpoint").asText());
            assertTrue(facts.get("reason").asText().contains("500"), facts.toString());
        }
    }

    @Test
    void theCatalogDescribesTheTopicForAnApplicationThatMayReadIt(Keycloak keycloak) {
        Ess owner = Ess.application(keycloak, Ess.newApplication(keycloak, OPERATIONS));
        JsonNode catalog = owner.get("/catalog").json();
        JsonNode messages = catalog.at("/channels/keycloak.webhooks/messages");
        for (String type : List.of("subscription.suspended", "subscription.disabled", "subscription.enabled", "deliveries.parked",
                "verification.failed", "clientCertificate.added", "subscription.removed", "signingKey.rotated")) {
            assertTrue(messages.has(type), type + " in " + messages);
        }
        Ess without = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read"));
        assertFalse(without.get("/catalog").json().at("/channels").has("keycloak.webhooks"), "only with events.webhooks.read");
        assertEquals(403, without.subscribe(Ess.uniqueId("ops"), ".*", "keycloak.webhooks", NOBODY).status());
    }

    static final URI NOBODY = URI.create("http://127.0.0.1:9/ops");
}
