package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.StrictJson;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One event as a subscriber receives it, and the JSON Schema of that body, side by side so they cannot drift.
 * <ul>
 *   <li>{@link BodyFormat#ESS}, the source service's shape:
 *   {@code {"id","correlationId","eventType","topic","subtopic","timeStamp","facts"}}; {@code subtopic} is
 *   the realm's name.</li>
 *   <li>{@link BodyFormat#CLOUDEVENTS}, CloudEvents 1.0 structured mode: {@code specversion}, {@code id},
 *   {@code source} (the realm's URL), {@code type} ({@code org.keycloak.<source>.<eventType>}), {@code subject},
 *   {@code time}, {@code datacontenttype}, {@code dataschema} (the catalog's schema of {@code data}), the
 *   extension {@code correlationid}, and {@code data}: the facts.</li>
 * </ul>
 * {@code id} is the Keycloak event id, the same on every retry and in both formats.
 *
 * @param source   which of Keycloak's events this is; null for a subscription's verification event
 * @param subject  what the event is about, as a path under the realm's admin API ({@code users/<id>}); may be null
 * @param realmUrl the realm's URL ({@code <server>/realms/<name>}), null outside a request
 */
public record EventPayload(String id, String correlationId, String eventType, String topic, String subtopic,
                           Instant timeStamp, ObjectNode facts, Topic.Source source, String subject, URI realmUrl) {

    /**
     * The version of every schema the catalog publishes. A change of a body or of its facts must change it:
     * {@code EventCatalogVersionTest} fails until it does, and CloudEvents' {@code dataschema} names it.
     */
    public static final String SCHEMA_VERSION = "5";

    public static final String VERIFICATION = "subscription.verification";
    /** The event types an application may give its test events. */
    public static final String TEST_EVENT_TYPE = "[A-Za-z0-9._:-]{1,128}";
    private static final String CLOUDEVENTS_TYPE_PREFIX = "org.keycloak.";
    private static final String NO_REQUEST_SOURCE = "urn:keycloak:realm:";

    public String toJson(BodyFormat format) {
        ObjectNode node = StrictJson.MAPPER.createObjectNode();
        switch (format) {
            case ESS -> {
                node.put("id", id);
                node.put("correlationId", correlationId);
                node.put("eventType", eventType);
                node.put("topic", topic);
                node.put("subtopic", subtopic);
                node.put("timeStamp", timeStamp.toString());
                node.set("facts", facts);
            }
            case CLOUDEVENTS -> {
                node.put("specversion", "1.0");
                node.put("id", id);
                node.put("source", realmUrl == null ? NO_REQUEST_SOURCE + encoded(subtopic) : realmUrl.toString());
                node.put("type", cloudEventsType(source, eventType));
                if (subject != null) {
                    node.put("subject", subject);
                }
                node.put("time", timeStamp.toString());
                node.put("datacontenttype", "application/json");
                if (realmUrl != null) {
                    node.put("dataschema", dataSchema(realmUrl, topic, eventType).toString());
                }
                node.put("correlationid", correlationId);
                node.set("data", facts);
            }
        }
        try {
            return StrictJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An object node always serialises", e);
        }
    }

    public EventPayload forTopic(String otherTopic) {
        return new EventPayload(id, correlationId, eventType, otherTopic, subtopic, timeStamp, facts, source, subject, realmUrl);
    }

    /** {@code org.keycloak.user.LOGIN}, {@code org.keycloak.admin.USER.UPDATE}, {@code org.keycloak.subscription.verification}. */
    public static String cloudEventsType(Topic.Source source, String eventType) {
        return CLOUDEVENTS_TYPE_PREFIX + (source == null ? "" : source.name().toLowerCase(Locale.ROOT) + ".") + eventType;
    }

    /** Where the catalog answers the schema of an event's {@code data} (its facts), at this schema version. */
    public static URI dataSchema(URI realmUrl, String topic, String eventType) {
        return catalogSchema(realmUrl, topic, eventType, "&part=data");
    }

    /** Where the catalog answers the schema of an event's body in {@code format}, at this schema version. */
    public static URI bodySchema(URI realmUrl, String topic, String eventType, BodyFormat format) {
        return catalogSchema(realmUrl, topic, eventType, "&bodyFormat=" + format.id());
    }

    private static URI catalogSchema(URI realmUrl, String topic, String eventType, String which) {
        return URI.create(realmUrl + "/events/v4/catalog?format=json-schema&topic=" + encoded(topic) + "&eventType="
                + encoded(eventType) + which + "&version=" + SCHEMA_VERSION);
    }

    /**
     * The JSON Schema (2020-12) of the body of {@code eventType} from {@code source} in {@code format}, its facts
     * described by {@link EventFacts}, the same declarations that build them.
     *
     * @param eventType null: a test event of any type its publisher chose
     */
    public static ObjectNode schema(BodyFormat format, Topic.Source source, String eventType) {
        ObjectNode facts = factsSchema(source, eventType);
        ObjectNode eventTypeSchema = eventType == null ? JsonSchema.pattern("^" + TEST_EVENT_TYPE + "$", "The type its publisher chose")
                : JsonSchema.constant(eventType, "The kind of event");
        ObjectNode typeSchema = eventType == null
                ? JsonSchema.pattern("^" + cloudEventsType(source, "").replace(".", "\\.") + TEST_EVENT_TYPE + "$", "org.keycloak.test.<eventType>")
                : JsonSchema.constant(cloudEventsType(source, eventType), "org.keycloak.<source>.<eventType>");
        String events = eventType == null ? "test" : eventType;
        Map<String, ObjectNode> properties = new LinkedHashMap<>();
        List<String> required;
        String description;
        switch (format) {
            case ESS -> {
                description = "The body of " + events + " events, as the Event Subscription Service writes it";
                properties.put("id", JsonSchema.text("The event's id; the same on every retry (also the webhook-id header)", 64));
                properties.put("correlationId", JsonSchema.text("The correlation id of the request that caused the event", 128));
                properties.put("eventType", eventTypeSchema);
                properties.put("topic", JsonSchema.text("The topic of the subscription", 255));
                properties.put("subtopic", JsonSchema.text("The realm's name", 255));
                properties.put("timeStamp", JsonSchema.dateTime("When Keycloak recorded the event (UTC)"));
                properties.put("facts", facts);
                required = List.copyOf(properties.keySet());
            }
            case CLOUDEVENTS -> {
                description = "The body of " + events + " events as a CloudEvent (1.0, structured mode)";
                properties.put("specversion", JsonSchema.constant("1.0", "The CloudEvents version"));
                properties.put("id", JsonSchema.text("The event's id; the same on every retry (also the webhook-id header)", 64));
                properties.put("source", JsonSchema.string("The realm's URL (a URN with the realm's name for events outside a request)")
                        .put("format", "uri-reference").put("minLength", 1));
                properties.put("type", typeSchema);
                properties.put("subject", JsonSchema.text("What the event is about, as a path of the realm's admin API (users/<id>)", 2048));
                properties.put("time", JsonSchema.dateTime("When Keycloak recorded the event (UTC)"));
                properties.put("datacontenttype", JsonSchema.constant("application/json", "data is JSON"));
                properties.put("dataschema", JsonSchema.uri("This catalog's schema of data, at its version"));
                properties.put("correlationid", JsonSchema.text("The correlation id of the request that caused the event", 128));
                properties.put("data", facts);
                required = List.of("specversion", "id", "source", "type", "time", "datacontenttype", "correlationid", "data");
            }
            default -> throw new IllegalArgumentException(format.name());
        }
        ObjectNode schema = JsonSchema.object(description, properties, required, false);
        return titled(typeName(source, eventType) + (format == BodyFormat.ESS ? "Event" : "CloudEvent"), schema);
    }

    /** The JSON Schema of an event's facts: the ess body's {@code facts}, a CloudEvent's {@code data}. */
    public static ObjectNode factsSchema(Topic.Source source, String eventType) {
        return titled(typeName(source, eventType) + "Facts", EventFacts.schema(source, eventType));
    }

    /**
     * What code generators name the type of an event's body: {@code Login}, {@code LoginError},
     * {@code UserUpdateAdmin}, {@code Test}, {@code SubscriptionVerification}; unique per event type and source.
     */
    static String typeName(Topic.Source source, String eventType) {
        if (source == Topic.Source.TEST) {
            return "Test";
        }
        StringBuilder name = new StringBuilder();
        for (String part : eventType.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                String word = part.equals(part.toUpperCase(Locale.ROOT)) ? part.toLowerCase(Locale.ROOT) : part;
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return name + (source == Topic.Source.ADMIN ? "Admin" : "");
    }

    /** {@code title} first: where people and generators look for a schema's name. */
    private static ObjectNode titled(String title, ObjectNode schema) {
        ObjectNode titled = StrictJson.MAPPER.createObjectNode().put("title", title);
        titled.setAll(schema);
        return titled;
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
