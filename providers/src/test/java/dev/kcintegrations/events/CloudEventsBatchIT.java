package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code webHookConfig.batch} on a {@code cloudevents} subscription: one POST carries several events as a
 * CloudEvents batch ({@code application/cloudevents-batch+json}), in queue order within and across batches,
 * signed as one body; a 2xx acknowledges all of them, anything else retries them all. Read by the CloudEvents
 * SDK and verified by the Standard Webhooks library and {@code jose}, not by this project's code.
 */
@KeycloakIntegrationTest
class CloudEventsBatchIT {

    static final String BATCH = "application/cloudevents-batch+json; charset=utf-8";

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    static Http.Reply subscribe(Ess app, String id, URI endpoint, String ordering, int maxEvents, int maxWaitMs) {
        ObjectNode body = Http.JSON.createObjectNode().put("id", id).put("filter", ".*").put("topic", "public.test");
        ObjectNode config = body.putObject("webHookConfig").put("endpoint", endpoint.toString()).put("format", "cloudevents")
                .put("ordering", ordering);
        config.putObject("batch").put("maxEvents", maxEvents).put("maxWaitMs", maxWaitMs);
        return app.call("PUT", "/subscriptions/webhook", body.toString());
    }

    private static boolean isBatch(WebhookReceiver.Received request) {
        return BATCH.equals(request.header("content-type"));
    }

    /** The test events' types in a batch, in its order. */
    private static List<String> types(WebhookReceiver.Received batch) {
        List<String> types = new ArrayList<>();
        readJson(batch.body()).forEach(event -> types.add(event.get("type").asText().replace("org.keycloak.test.", "")));
        return types;
    }

    private static JsonNode readJson(String body) {
        try {
            return Http.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    @Test
    void aBatchCarriesTheEventsInOrderSignedAsOneBody(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("batch");
        Http.Reply saved = subscribe(app, id, receiver.url("/batch"), "subscription", 10, 500);
        assertEquals(200, saved.status(), saved.shown());
        JsonNode config = app.get("/subscriptions/" + id).json().get(0).get("webHookConfig");
        assertEquals(10, config.at("/batch/maxEvents").asInt(), config.toString());

        int events = 25;
        for (int i = 0; i < events; i++) {
            app.publishTest("b" + i);
        }
        List<WebhookReceiver.Received> batches = Await.until(events + " events in batches", WebhookReceiver.SOON, Duration.ofMillis(100),
                () -> receiver.received().stream().filter(CloudEventsBatchIT::isBatch).toList(),
                arrivedSoFar -> arrivedSoFar.stream().mapToInt(b -> types(b).size()).sum() >= events);
        List<String> arrived = batches.stream().flatMap(b -> types(b).stream()).toList();
        assertEquals(IntStream.range(0, events).mapToObj(i -> "b" + i).toList(), arrived, "every event once, in order within and across batches");
        assertTrue(batches.size() >= 3 && batches.size() < events, "several events a POST, at most 10: " + batches.size() + " POSTs");
        batches.forEach(b -> assertTrue(types(b).size() <= 10, b.body()));

        WebhookReceiver.Received first = batches.get(0);
        assertTrue(first.header("webhook-id").startsWith("batch_"), first.header("webhook-id"));
        assertTrue(StandardWebhooksCheck.valid(app.secret(id), first), "the Standard Webhooks library verifies the batch as one body");
        assertTrue(StandardWebhooksCheck.concurSignatureValid(keycloak.realmUrl(Ess.REALM, "/events/v4/jwks"), first),
                "jose verifies its Concur-Signature with the realm's JWKS");
        JsonNode deliveries = app.get("/subscriptions/" + id + "/deliveries").json().get("deliveries");
        deliveries.forEach(d -> assertEquals("DELIVERED", d.get("status").asText(), d.toString()));
    }

    @Test
    void theCloudEventsSdkReadsTheBatch(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        try (CloudEventsReceiver sdk = CloudEventsReceiver.start()) {
            // The batch goes once it is full: its wait only has to outlast five POSTs on a loaded machine (a second did not
            // once, and the SDK read four and one).
            Http.Reply saved = subscribe(app, Ess.uniqueId("sdk-batch"), sdk.url("/batch"), "subject", 5, 10_000);
            assertEquals(200, saved.status(), saved.shown());
            for (int i = 0; i < 5; i++) {
                app.publishTest("sdk" + i);
            }
            JsonNode read = sdk.await(r -> r.has("events") && r.get("events").size() == 5, WebhookReceiver.SOON);
            assertTrue(read.get("ok").asBoolean(), read.toString());
            List<String> types = new ArrayList<>();
            read.get("events").forEach(e -> types.add(e.get("type").asText()));
            assertEquals(IntStream.range(0, 5).mapToObj(i -> "org.keycloak.test.sdk" + i).toList(), types, read.toString());
            assertEquals(0, sdk.requests().stream().filter(r -> !r.get("ok").asBoolean()).count(), sdk.requests().toString());
        }
    }

    @Test
    void aFailedBatchIsRetriedWholeAndATwoHundredAcknowledgesEveryEvent(Keycloak keycloak) {
        AtomicInteger batchesSeen = new AtomicInteger();
        receiver.answer(request -> isBatch(request) && batchesSeen.getAndIncrement() == 0 ? 500 : 204);
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("batch-retry");
        assertEquals(200, subscribe(app, id, receiver.url("/retry"), "subscription", 10, 2000).status());
        for (int i = 0; i < 4; i++) {
            app.publishTest("r" + i);
        }
        List<WebhookReceiver.Received> posts = receiver.awaitAttempts(CloudEventsBatchIT::isBatch, 2, Duration.ofSeconds(30));
        assertEquals(List.of("r0", "r1", "r2", "r3"), types(posts.get(0)), "one batch, refused with 500");
        assertEquals(types(posts.get(0)), types(posts.get(1)), "retried whole");
        assertEquals(posts.get(0).header("webhook-id"), posts.get(1).header("webhook-id"), "the same events: the same id");
        JsonNode deliveries = Ess.awaitDelivery(app, id, d -> d.get("status").asText().equals("DELIVERED")
                && d.get("eventType").asText().equals("r3"));
        assertEquals(2, deliveries.get("attempts").asInt(), deliveries.toString());
        List<JsonNode> all = app.deliveries(id, null);
        assertEquals(4, all.size());
        all.forEach(d -> assertEquals("DELIVERED", d.get("status").asText(), d.toString()));
    }

    @Test
    void batchesAreOnlyForCloudEvents(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        ObjectNode body = Http.JSON.createObjectNode().put("id", Ess.uniqueId("ess-batch")).put("filter", ".*").put("topic", "public.test");
        body.putObject("webHookConfig").put("endpoint", receiver.url("/ess").toString()).putObject("batch").put("maxEvents", 10);
        Ess.assertError(app.call("PUT", "/subscriptions/webhook", body.toString()), 400,
                "webHookConfig.batch needs format cloudevents");
        assertEquals(0, receiver.received().size(), "refused before its endpoint was called");
    }

    /**
     * A refused save changes nothing: the checks of the delivery settings come before the subscription is
     * touched (a 400 answered after the endpoint and format were set had them committed with it).
     */
    @Test
    void aRefusedSaveLeavesTheSubscriptionAsItWas(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("batch-kept");
        assertEquals(200, subscribe(app, id, receiver.url("/kept"), "subject", 10, 100).status());
        ObjectNode body = Http.JSON.createObjectNode().put("id", id).put("filter", "other").put("topic", "public.test");
        body.putObject("webHookConfig").put("endpoint", receiver.url("/moved").toString()).put("format", "ess");
        Ess.assertError(app.call("PUT", "/subscriptions/webhook", body.toString()), 400,
                "webHookConfig.batch needs format cloudevents: this subscription batches");
        JsonNode kept = app.get("/subscriptions/" + id).json().get(0);
        assertEquals(".*", kept.get("filter").asText(), kept.toString());
        assertEquals(receiver.url("/kept").toString(), kept.at("/webHookConfig/endpoint").asText(), kept.toString());
        assertEquals("cloudevents", kept.at("/webHookConfig/format").asText(), kept.toString());
        assertEquals(10, kept.at("/webHookConfig/batch/maxEvents").asInt(), kept.toString());
    }

    /** What a GET shows can be sent back as it is, whatever the ordering. */
    @Test
    void aSubscriptionAsReadCanBeSavedAsRead(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        for (String ordering : new String[]{"subscription", "subject"}) {
            String id = Ess.uniqueId("round-trip");
            assertEquals(200, subscribe(app, id, receiver.url("/" + id), ordering, 5, 0).status());
            JsonNode read = app.get("/subscriptions/" + id).json().get(0);
            Http.Reply saved = app.call("PUT", "/subscriptions/webhook", read.toString());
            assertEquals(200, saved.status(), ordering + ": " + saved.body());
            assertEquals(read, app.get("/subscriptions/" + id).json().get(0), "saved as read");
        }
    }
}
