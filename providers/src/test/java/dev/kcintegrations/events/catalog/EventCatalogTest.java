package dev.kcintegrations.events.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.topics.EventTypeFilter;
import dev.kcintegrations.events.topics.Topic;
import org.junit.jupiter.api.Test;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's shape; that it is valid AsyncAPI and that deliveries match it is shown against the real server. */
class EventCatalogTest {

    static final URI REALM = URI.create("https://sso.example.com/realms/demo");
    static final Topic USER = new Topic("keycloak.user", "events.user.read", Topic.Source.USER, Optional.empty());
    static final Topic ADMIN = new Topic("keycloak.admin", "events.admin.read", Topic.Source.ADMIN, Optional.empty());
    static final Topic TEST = new Topic("public.test", "", Topic.Source.TEST, Optional.empty());
    static final Topic WEBHOOKS = new Topic("keycloak.webhooks", "events.webhooks.read", Topic.Source.WEBHOOKS, Optional.empty());
    static final Topic LOGINS = new Topic("logins", "", Topic.Source.USER, Optional.of(EventTypeFilter.compile("LOGIN.*")));

    static EventCatalog catalog(Topic... topics) {
        return new EventCatalog("demo", REALM, List.of(topics));
    }

    @Test
    void oneChannelPerReadableTopicAndOneMessagePerEventTypeItCarries() {
        JsonNode doc = catalog(USER, ADMIN, TEST, LOGINS).asyncApi(BodyFormat.ESS);
        assertEquals("3.0.0", doc.get("asyncapi").asText());
        assertEquals(List.of("keycloak.user", "keycloak.admin", "public.test", "logins"), names(doc.get("channels")));
        // Every user event type (Keycloak's enum, whatever its version), and the verification event.
        assertEquals(EventType.values().length + 1, doc.at("/channels/keycloak.user/messages").size());
        assertEquals(ResourceType.values().length * OperationType.values().length + 1, doc.at("/channels/keycloak.admin/messages").size());
        assertEquals(List.of("subscription.verification", "testEvent"), names(doc.at("/channels/public.test/messages")));
        assertEquals(List.of("subscription.verification", "LOGIN", "LOGIN_ERROR"), names(doc.at("/channels/logins/messages")));
        assertEquals("#/components/messages/admin.USER.UPDATE", doc.at("/channels/keycloak.admin/messages/USER.UPDATE/$ref").asText());
        assertEquals("#/channels/logins/messages/LOGIN", doc.at("/operations/send.logins/messages/1/$ref").asText());
    }

    @Test
    void aTopicNotReadableIsNotInTheCatalog() {
        JsonNode doc = catalog(TEST).asyncApi(BodyFormat.ESS);
        assertEquals(List.of("public.test"), names(doc.get("channels")));
        assertFalse(doc.toString().contains("keycloak.user"));
        assertTrue(catalog(TEST).jsonSchema(null, "LOGIN", EventCatalog.Part.BODY, BodyFormat.ESS).orElseThrow()
                .at("/properties/eventType/const").asText().equals("LOGIN"), "a test event may be called LOGIN");
        assertTrue(catalog(ADMIN).jsonSchema(null, "LOGIN", EventCatalog.Part.BODY, BodyFormat.ESS).isEmpty());
        assertTrue(catalog(USER).jsonSchema("keycloak.admin", "LOGIN", EventCatalog.Part.BODY, BodyFormat.ESS).isEmpty());
    }

    @Test
    void theSchemasDescribeEachEventTypeExactly() {
        EventCatalog catalog = catalog(USER, ADMIN);
        ObjectNode login = catalog.jsonSchema(null, "LOGIN", EventCatalog.Part.BODY, BodyFormat.ESS).orElseThrow();
        assertEquals("https://json-schema.org/draft/2020-12/schema", login.get("$schema").asText());
        assertFalse(login.at("/properties/facts/properties").has("error"), "only the _ERROR types carry an error");
        assertTrue(catalog.jsonSchema(null, "LOGIN_ERROR", EventCatalog.Part.BODY,
                BodyFormat.ESS).orElseThrow().at("/properties/facts/properties").has("error"));
        assertFalse(login.at("/properties/facts/additionalProperties").asBoolean());
        ObjectNode update = catalog.jsonSchema(null, "USER.UPDATE", EventCatalog.Part.BODY, BodyFormat.CLOUDEVENTS).orElseThrow();
        assertEquals("org.keycloak.admin.USER.UPDATE", update.at("/properties/type/const").asText());
        assertEquals("USER", update.at("/properties/data/properties/resourceType/const").asText());
        assertTrue(update.at("/properties/data/properties").has("changedAttributes"));
        assertFalse(catalog.jsonSchema(null, "USER.CREATE", EventCatalog.Part.DATA, BodyFormat.ESS).orElseThrow().at("/properties").has("changedAttributes"));
        // A CloudEvent's dataschema is the $id of the data schema.
        assertEquals(EventPayload.dataSchema(REALM, "keycloak.admin", "USER.UPDATE").toString(),
                catalog.jsonSchema(null, "USER.UPDATE", EventCatalog.Part.DATA, BodyFormat.ESS).orElseThrow().get("$id").asText());
    }

    @Test
    void eachSchemaHasTheTitleCodeGeneratorsNameItsTypeBy() {
        EventCatalog catalog = catalog(USER, ADMIN, TEST);
        assertEquals("LoginErrorEvent", catalog.jsonSchema(null, "LOGIN_ERROR", EventCatalog.Part.BODY, BodyFormat.ESS).orElseThrow().get("title").asText());
        assertEquals("UserUpdateAdminCloudEvent", catalog.jsonSchema(null, "USER.UPDATE", EventCatalog.Part.BODY,
                BodyFormat.CLOUDEVENTS).orElseThrow().get("title").asText());
        assertEquals("LoginFacts", catalog.jsonSchema(null, "LOGIN", EventCatalog.Part.DATA, BodyFormat.ESS).orElseThrow().get("title").asText());
        assertEquals("LoginFacts", catalog.jsonSchema(null, "LOGIN", EventCatalog.Part.BODY,
                BodyFormat.ESS).orElseThrow().at("/properties/facts/title").asText());
        assertEquals("TestEvent", catalog.jsonSchema(null, "order.created", EventCatalog.Part.BODY, BodyFormat.ESS).orElseThrow().get("title").asText());
        assertEquals("SubscriptionVerificationEvent",
                catalog.asyncApi(BodyFormat.ESS).at("/components/messages/subscription.verification/payload/schema/title").asText());
    }

    @Test
    void theCloudEventsDocumentDescribesCloudEvents() {
        JsonNode doc = catalog(USER, ADMIN, TEST).asyncApi(BodyFormat.CLOUDEVENTS);
        JsonNode login = doc.at("/components/messages/user.LOGIN");
        assertEquals("application/cloudevents+json; charset=utf-8", login.get("contentType").asText());
        assertEquals("org.keycloak.user.LOGIN", login.at("/payload/schema/properties/type/const").asText());
        assertEquals("LoginFacts", login.at("/payload/schema/properties/data/title").asText());
        assertEquals("^org\\.keycloak\\.test\\.[A-Za-z0-9._:-]{1,128}$",
                doc.at("/components/messages/test.testEvent/payload/schema/properties/type/pattern").asText());
        assertEquals("application/json; charset=UTF-8", catalog(USER).asyncApi(BodyFormat.ESS).at("/components/messages/user.LOGIN/contentType").asText());
    }

    @Test
    void aDeclaredTestTopicCarriesOnlyItsEventTypes() {
        Topic orders = new Topic("orders", "", Topic.Source.TEST, Optional.of(EventTypeFilter.compile("order\\..*")));
        assertTrue(catalog(orders).jsonSchema("orders", "order.created", EventCatalog.Part.BODY, BodyFormat.ESS).isPresent());
        assertTrue(catalog(orders).jsonSchema("orders", "invoice.created", EventCatalog.Part.BODY, BodyFormat.ESS).isEmpty());
    }

    @Test
    void noSchemaUsesReferences() {
        assertFalse(catalog(USER, ADMIN, TEST).asyncApi(BodyFormat.ESS).at("/components/messages").toString().contains("\"$ref\""),
                "payload schemas stand alone: tools resolve a $ref in them against the AsyncAPI document");
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
