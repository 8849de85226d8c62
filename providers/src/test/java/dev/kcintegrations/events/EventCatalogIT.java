package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static dev.kcintegrations.events.WebhookReceiver.SOON;
import static dev.kcintegrations.events.WebhookReceiver.about;
import static dev.kcintegrations.events.WebhookReceiver.json;
import static dev.kcintegrations.events.RealmUsers.login;
import static dev.kcintegrations.events.RealmUsers.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event catalog ({@code GET events/v4/catalog}) read by the tools a receiver would use, and the CloudEvents
 * body format read by the CloudEvents SDK: both independent npm libraries, run by node.
 */
@KeycloakIntegrationTest
class EventCatalogIT {

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    // ---- the catalog

    @Test
    void theCatalogIsAsyncApiThatTheParserAcceptsWithJsonSchemasAjvCompiles(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Http.Reply reply = app.get("/catalog");
        assertEquals(200, reply.status(), reply.shown());
        assertTrue(reply.header("Content-Type").orElseThrow().startsWith("application/json"));
        JsonNode doc = reply.json();
        assertEquals("3.0.0", doc.get("asyncapi").asText());
        NodeScript.Result parsed = NodeScript.run("check-catalog.js", doc);
        assertEquals(0, parsed.exit(), parsed.output());
        assertTrue(parsed.output().startsWith("valid 3 channels"), parsed.output());
        assertEquals(keycloak.realmUrl(Ess.REALM, "/events/v4/jwks").toString(),
                doc.at("/components/securitySchemes/concurSignature/x-jwks-uri").asText());
        assertTrue(doc.at("/components/messages/user.LOGIN/headers/required").toString().contains("Concur-Signature"));

        // The document of the other format: the same channels, CloudEvents as messages.
        JsonNode cloudEvents = app.get("/catalog?bodyFormat=cloudevents").json();
        NodeScript.Result alsoParsed = NodeScript.run("check-catalog.js", cloudEvents);
        assertEquals(0, alsoParsed.exit(), alsoParsed.output());
        assertEquals("application/cloudevents+json; charset=utf-8", cloudEvents.at("/components/messages/user.LOGIN/contentType").asText());
    }

    /** The validator the delivery checks rely on refuses what does not match: those checks can fail. */
    @Test
    void aBodyThatDoesNotMatchItsSchemaIsRefused(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        JsonNode schema = app.get("/catalog?format=json-schema&topic=keycloak.user&eventType=LOGIN").json();
        String body = "{\"id\":\"e1\",\"correlationId\":\"c1\",\"eventType\":\"LOGIN\",\"topic\":\"keycloak.user\","
                + "\"subtopic\":\"integrations\",\"timeStamp\":\"2026-11-30T16:33:28.530Z\",\"facts\":{\"userId\":\"u1\"%s}}";
        assertEquals(0, validate(schema, body.formatted("")).exit(), "the body as delivered");
        for (String wrong : new String[]{",\"password\":\"s3cr3t\"", ",\"error\":\"invalid_user_credentials\"", ",\"details\":{\"code_id\":\"c\"}"}) {
            NodeScript.Result refused = validate(schema, body.formatted(wrong));
            assertEquals(1, refused.exit(), wrong + ": " + refused.output());
            assertTrue(refused.output().contains("must NOT have additional properties"), refused.output());
        }
        assertEquals(1, validate(schema, body.formatted("").replace("\"LOGIN\"", "\"LOGOUT\"")).exit(), "another event type");
    }

    private static NodeScript.Result validate(JsonNode schema, String body) {
        ObjectNode check = Http.JSON.createObjectNode();
        check.put("name", "constructed");
        check.set("schema", schema);
        check.put("body", body);
        return NodeScript.run("validate-event.js", Http.JSON.createArrayNode().add(check));
    }

    /**
     * The catalog is a function of the realm's topics as the token reads them: it carries an ETag, is answered
     * 304 when the client has it, may be kept by the client, and comes gzipped when asked (a 1 MB document was
     * built, in full and uncompressed, for every request). A topic declared since changes the ETag.
     */
    @Test
    void theCatalogIsRevalidatedByItsETagAndGzippedWhenAsked(Keycloak keycloak) throws Exception {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Http.Reply first = app.get("/catalog");
        String etag = first.header("ETag").orElseThrow(() -> new AssertionError("no ETag: " + first.headers()));
        assertEquals(etag, app.get("/catalog").header("ETag").orElseThrow(), "the same document, the same ETag");
        String cacheControl = first.header("Cache-Control").orElseThrow();
        assertTrue(cacheControl.contains("private") && cacheControl.contains("max-age"), cacheControl);
        assertTrue(first.header("Vary").orElseThrow().contains("Authorization"), first.headers().toString());

        Http.Reply unchanged = Http.get(app.url("/catalog"), Map.of("Authorization", "Bearer " + app.token(), "If-None-Match", etag));
        assertEquals(304, unchanged.status(), unchanged.shown());
        assertEquals("", unchanged.body());
        assertEquals(etag, unchanged.header("ETag").orElseThrow());
        assertEquals(200, Http.get(app.url("/catalog?bodyFormat=cloudevents"),
                Map.of("Authorization", "Bearer " + app.token(), "If-None-Match", etag)).status(), "another document, another ETag");

        HttpResponse<byte[]> gzipped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.url("/catalog"))
                .header("Authorization", "Bearer " + app.token()).header("Accept-Encoding", "gzip, deflate").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, gzipped.statusCode());
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse("identity"));
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes();
        assertEquals(first.body(), new String(unzipped, StandardCharsets.UTF_8), "the same document");
        assertTrue(gzipped.body().length * 10 < unzipped.length, gzipped.body().length + " of " + unzipped.length + " bytes");

        String topic = "catalog.etag." + UUID.randomUUID().toString().substring(0, 8);
        String component = keycloak.admin().create("/" + Ess.REALM + "/components", Ess.topicComponent(keycloak, topic, "", "user", "LOGIN"));
        try {
            Http.Reply changed = Http.get(app.url("/catalog"), Map.of("Authorization", "Bearer " + app.token(), "If-None-Match", etag));
            assertEquals(200, changed.status(), "a topic declared since: the document changed");
            assertTrue(changed.json().get("channels").has(topic), changed.body().substring(0, 200));
        } finally {
            keycloak.admin().call("DELETE", "/" + Ess.REALM + "/components/" + component, null);
        }
    }

    @Test
    void theCatalogShowsOnlyTheTopicsTheTokenMayRead(Keycloak keycloak) {
        Ess testOnly = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read"));
        JsonNode doc = testOnly.get("/catalog").json();
        List<String> channels = new ArrayList<>();
        doc.get("channels").fieldNames().forEachRemaining(channels::add);
        assertEquals(List.of("public.test"), channels);
        Ess.assertError(testOnly.get("/catalog?format=json-schema&topic=keycloak.user&eventType=LOGIN"), 404, "carries");
    }

    @Test
    void noTokenIs401(Keycloak keycloak) {
        Ess.assertError(Http.get(keycloak.realmUrl(Ess.REALM, "/events/v4/catalog"), Map.of()), 401, "Bearer");
    }

    @Test
    void badQueriesAre400Or404InTheApisErrorShape(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Ess.assertError(app.get("/catalog?format=yaml"), 400, "asyncapi (the default) or json-schema");
        Ess.assertError(app.get("/catalog?format=json-schema"), 400, "eventType is required");
        Ess.assertError(app.get("/catalog?format=json-schema&eventType=LOGIN&part=xml"), 400, "part must be one of body, data");
        Ess.assertError(app.get("/catalog?bodyFormat=xml"), 400, "bodyFormat must be one of ess, cloudevents");
        Ess.assertError(app.get("/catalog?format=json-schema&eventType=NO_SUCH_TYPE&topic=keycloak.user"), 404, "carries");
        Ess.assertError(app.get("/catalog?version=0"), 404, "version " + EventPayload.SCHEMA_VERSION);
        Ess.assertError(app.call("POST", "/catalog", "{}"), 405, "GET");
    }

    @Test
    void oneSchemaStandsAloneWithItsOwnId(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Http.Reply reply = app.get("/catalog?format=json-schema&eventType=USER.UPDATE&part=data&version=" + EventPayload.SCHEMA_VERSION);
        assertEquals(200, reply.status(), reply.shown());
        assertEquals("application/schema+json;charset=utf-8", reply.header("Content-Type").orElseThrow().replace(" ", ""));
        JsonNode schema = reply.json();
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
        assertEquals(keycloak.realmUrl(Ess.REALM,
                "/events/v4/catalog?format=json-schema&topic=keycloak.admin&eventType=USER.UPDATE&part=data&version=" + EventPayload.SCHEMA_VERSION).toString(),
                schema.get("$id").asText());
        assertEquals("USER", schema.at("/properties/resourceType/const").asText());
    }

    // ---- what is delivered matches it

    @Test
    void essDeliveriesOfEachSourceMatchTheirSchemas(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        app.subscribe(Ess.uniqueId("cat-user"), "LOGIN|LOGIN_ERROR", "keycloak.user", receiver.url("/user"));
        app.subscribe(Ess.uniqueId("cat-admin"), "USER\\..*", "keycloak.admin", receiver.url("/admin"));
        app.subscribe(Ess.uniqueId("cat-test"), ".*", "public.test", receiver.url("/test"));
        String username = Ess.uniqueId("catalogued");
        String userId = newUser(keycloak, username);
        login(keycloak, username, "wrong");
        login(keycloak, username, "Secret-" + username);
        ObjectNode user = (ObjectNode) keycloak.admin().get("/" + Ess.REALM + "/users/" + userId);
        user.put("firstName", "Renamed");
        keycloak.admin().put("/" + Ess.REALM + "/users/" + userId, user);
        Http.send("POST", app.url("/topics/public.test/events"), Map.of("Authorization", "Bearer " + app.token(),
                "Content-Type", "application/json"), "{\"eventType\":\"order.created\",\"facts\":{\"orderId\":7}}".getBytes());
        receiver.awaitEvents(r -> about(r, userId), 4, SOON); // LOGIN_ERROR, LOGIN, USER.CREATE, USER.UPDATE
        receiver.awaitEvents(r -> about(r, "order.created"), 1, SOON);

        CatalogCheck.assertDeliveriesMatchTheCatalog(keycloak, receiver.received()); // verifications included
        assertTrue(receiver.received().size() >= 8, receiver.received().toString());
    }

    // ---- CloudEvents

    /**
     * URLs inside a signed body come from configuration: the realm's Frontend URL or the server's hostname,
     * never the Host header of the request that raised the event. This server has no fixed hostname, so the
     * realm's Frontend URL is set for the test, to the URL the tests call it at.
     */
    @Test
    void aCloudEventsSubscriptionGetsCloudEventsTheSdkReadsSignedAsAnyOther(Keycloak keycloak) throws Exception {
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString())) {
            cloudEventsReadByTheSdk(keycloak);
        }
    }

    private void cloudEventsReadByTheSdk(Keycloak keycloak) throws Exception {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        String id = Ess.uniqueId("ce");
        assertEquals(200, subscribe(app, id, "LOGIN", "keycloak.user", receiver.url("/ce"), "cloudevents").status());
        assertEquals("cloudevents", app.get("/subscriptions/" + id).json().get(0).at("/webHookConfig/format").asText());
        String username = Ess.uniqueId("ce-user");
        String userId = newUser(keycloak, username);
        login(keycloak, username, "Secret-" + username);
        WebhookReceiver.Received delivery = receiver.awaitEvents(r -> about(r, userId), 1, SOON).get(0);

        assertEquals("application/cloudevents+json; charset=utf-8", delivery.header("content-type"));
        JsonNode event = readByTheSdk(delivery);
        assertEquals("1.0", event.get("specversion").asText());
        assertEquals("org.keycloak.user.LOGIN", event.get("type").asText());
        assertEquals(keycloak.realmUrl(Ess.REALM, "").toString().replaceAll("/$", ""), event.get("source").asText());
        assertEquals("users/" + userId, event.get("subject").asText());
        assertEquals(delivery.header("webhook-id"), event.get("id").asText(), "the id is the event's, as in the ess format");
        assertEquals(userId, event.at("/data/userId").asText());
        assertEquals(delivery.header("concur-correlationid"), event.get("correlationid").asText());
        assertTrue(StandardWebhooksCheck.valid(app.secret(id), delivery), "Standard Webhooks as for ess");
        assertTrue(StandardWebhooksCheck.concurSignatureValid(keycloak.realmUrl(Ess.REALM, "/events/v4/jwks"), delivery));

        // dataschema is where the catalog answers the schema of data, and data matches it.
        NodeScript.Result valid = validate(CatalogCheck.fetch(app, URI.create(event.get("dataschema").asText())), event.get("data").toString());
        assertEquals(0, valid.exit(), valid.output());
        CatalogCheck.assertDeliveriesMatchTheCatalog(keycloak, receiver.received());

        // The verification event came as a CloudEvent too.
        WebhookReceiver.Received verification = receiver.received().get(0);
        assertEquals("org.keycloak.subscription.verification", readByTheSdk(verification).get("type").asText());
    }

    /** A receiver written with the SDK takes a cloudevents subscription, and each event it gets is one it can read. */
    @Test
    void aReceiverWrittenWithTheSdkTakesCloudEventsAndRefusesEss(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        try (CloudEventsReceiver sdk = CloudEventsReceiver.start()) {
            // The ess body is no CloudEvent: the SDK's receiver answers 400 to the verification event, so no subscription.
            Ess.assertError(subscribe(app, Ess.uniqueId("ess-to-ce"), ".*", "public.test", sdk.url("/ess"), "ess"), 400,
                    "did not accept the verification event: HTTP 400");
            assertEquals("no cloud event detected", sdk.await(r -> !r.get("ok").asBoolean(), SOON).get("error").asText());

            assertEquals(200, subscribe(app, Ess.uniqueId("ce"), ".*", "keycloak.admin", sdk.url("/ce"), "cloudevents").status());
            String username = Ess.uniqueId("ce-admin");
            String userId = newUser(keycloak, username);
            JsonNode created = sdk.await(r -> r.at("/event/subject").asText().equals("users/" + userId), SOON);
            assertTrue(created.get("ok").asBoolean(), created.toString());
            assertEquals("org.keycloak.admin.USER.CREATE", created.at("/event/type").asText());
            assertEquals("CREATE", created.at("/event/data/operation").asText());
            assertEquals(1, sdk.requests().stream().filter(r -> !r.get("ok").asBoolean()).count(), "only the ess verification was refused");
        }
    }

    @Test
    void anEssBodyIsNoCloudEventAndTheSdkSaysSo(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        assertEquals(200, subscribe(app, Ess.uniqueId("ess"), ".*", "public.test", receiver.url("/ess"), "ess").status());
        app.publishTest("eventCreated");
        WebhookReceiver.Received delivery = receiver.awaitEvents(r -> about(r, "eventCreated"), 1, SOON).get(0);
        assertEquals("application/json; charset=UTF-8", delivery.header("content-type"));
        NodeScript.Result read = NodeScript.run("receive-cloudevent.js", input(delivery));
        assertEquals(1, read.exit(), read.output());
        assertTrue(read.output().startsWith("refused: "), read.output());
        assertEquals("eventCreated", json(delivery).get("eventType").asText());
    }

    @Test
    void aFormatChangeAppliesToEventsCapturedAfterIt(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        String id = Ess.uniqueId("switch");
        subscribe(app, id, ".*", "public.test", receiver.url("/switch"), "ess");
        app.publishTest("before.switch");
        receiver.awaitEvents(r -> about(r, "before.switch"), 1, SOON);
        assertEquals(200, subscribe(app, id, ".*", "public.test", receiver.url("/switch"), "cloudevents").status());
        app.publishTest("after.switch");
        WebhookReceiver.Received after = receiver.awaitEvents(r -> about(r, "after.switch"), 1, SOON).get(0);
        assertEquals("org.keycloak.test.after.switch", readByTheSdk(after).get("type").asText());
        assertEquals("public.test", app.get("/subscriptions/" + id).json().get(0).get("topic").asText());
    }

    @Test
    void aTestEventCannotPassForTheVerificationEvent(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Ess.assertError(app.publishTest("subscription.verification"), 400, "reserved for the verification event");
    }

    @Test
    void anUnknownFormatIs400NamingTheAllowedOnes(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Ess.assertError(subscribe(app, Ess.uniqueId("xml"), ".*", "public.test", receiver.url("/xml"), "xml"), 400,
                "webHookConfig.format must be one of ess, cloudevents");
        Ess.assertError(app.call("PUT", "/subscriptions/webhook", "{\"id\":\"n\",\"filter\":\".*\",\"topic\":\"public.test\","
                + "\"webHookConfig\":{\"endpoint\":\"" + receiver.url("/n") + "\",\"format\":7}}"), 400, "ess, cloudevents");
        assertTrue(receiver.received().isEmpty(), "refused before any verification call");
    }

    @Test
    void withoutAFormatASubscriptionIsEss(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        String id = Ess.uniqueId("default");
        app.subscribe(id, ".*", "public.test", receiver.url("/default"));
        assertEquals("ess", app.get("/subscriptions/" + id).json().get(0).at("/webHookConfig/format").asText());
        assertFalse(receiver.received().get(0).body().contains("specversion"));
    }

    private static Http.Reply subscribe(Ess app, String id, String filter, String topic, URI endpoint, String format) {
        ObjectNode body = (ObjectNode) Http.JSON.valueToTree(Map.of("id", id, "filter", filter, "topic", topic));
        body.putObject("webHookConfig").put("endpoint", endpoint.toString()).put("format", format);
        return app.call("PUT", "/subscriptions/webhook", body.toString());
    }

    /** The CloudEvent as the SDK read it (HTTP.toEvent, then validate()); fails when the SDK refuses it. */
    private static JsonNode readByTheSdk(WebhookReceiver.Received delivery) {
        NodeScript.Result read = NodeScript.run("receive-cloudevent.js", input(delivery));
        assertEquals(0, read.exit(), read.output());
        try {
            return Http.JSON.readTree(read.output());
        } catch (Exception e) {
            throw new AssertionError(read.output(), e);
        }
    }

    private static ObjectNode input(WebhookReceiver.Received delivery) {
        ObjectNode input = Http.JSON.createObjectNode();
        ObjectNode headers = input.putObject("headers");
        delivery.headers().forEach(headers::put);
        input.put("body", delivery.body());
        return input;
    }
}
