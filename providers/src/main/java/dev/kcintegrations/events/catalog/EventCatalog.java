package dev.kcintegrations.events.catalog;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.capture.OperationalEvent;
import dev.kcintegrations.events.capture.JsonSchema;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.sender.DeliveryHeaders;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.StrictJson;
import org.keycloak.common.Version;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a realm's topics deliver, for receivers to generate code from: an AsyncAPI 3.0 document with one channel
 * per topic and one message per event type it can carry, and each message's JSON Schema (2020-12) alone. Every
 * schema is {@link EventPayload#schema}, written beside the code that writes the bodies; the event types are
 * Keycloak's own enums, so the catalog follows the Keycloak version it runs on.
 *
 * <p>Over 300 lines: one AsyncAPI document and its JSON Schemas are built from Keycloak's own enums in one pass,
 * and the parts (channels, messages, schemas, headers) share the same small builders; split, each part would
 * need them all.
 */
public final class EventCatalog {

    /** Which schema of an event the JSON Schema variant answers. */
    public enum Part {
        /** The delivered body, in the format asked for. */
        BODY,
        /** Its facts alone: an ess body's {@code facts}, a CloudEvent's {@code data} (what its {@code dataschema} names). */
        DATA;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Part> parse(String id) {
            return Arrays.stream(values()).filter(part -> part.id().equals(id)).findFirst();
        }
    }

    private static final String SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12";
    /** A test event's message: its event type is the publisher's choice. */
    private static final String TEST_MESSAGE = "testEvent";

    private final String realmName;
    private final URI realmUrl;
    private final List<Topic> topics;

    /** @param topics the topics the asking application may read; the catalog shows no others */
    public EventCatalog(String realmName, URI realmUrl, List<Topic> topics) {
        this.realmName = realmName;
        this.realmUrl = realmUrl;
        this.topics = topics;
    }

    /** The event types {@code topic} can carry; none for a test topic, whose publishers name their own. */
    public static List<String> eventTypes(Topic topic) {
        List<String> types = new ArrayList<>();
        switch (topic.source()) {
            case USER -> Arrays.stream(EventType.values()).map(Enum::name).forEach(types::add);
            case ADMIN -> {
                for (ResourceType resource : ResourceType.values()) {
                    for (OperationType operation : OperationType.values()) {
                        types.add(resource.name() + "." + operation.name());
                    }
                }
            }
            case TEST -> {
            }
            case WEBHOOKS -> types.addAll(OperationalEvent.eventTypes());
        }
        return types.stream().filter(topic::carries).toList();
    }

    // ---- AsyncAPI ----------------------------------------------------------------------------------------

    /** @param format the body format whose messages the document describes (a subscription chooses one) */
    public ObjectNode asyncApi(BodyFormat format) {
        ObjectNode doc = StrictJson.MAPPER.createObjectNode();
        doc.put("asyncapi", "3.0.0");
        doc.put("id", realmUrl + "/events/v4/catalog");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Keycloak events of realm " + realmName);
        info.put("version", EventPayload.SCHEMA_VERSION + ".0.0");
        info.put("description", """
                What Keycloak sends to the webhook endpoints of event subscriptions (events/v4) whose \
                webHookConfig.format is "%s": one channel per topic this application may read, one message per event \
                type. Each delivery is an HTTP POST of one event; a cloudevents subscription with webHookConfig.batch \
                receives a JSON array of them instead (%s, the CloudEvents batch mode), signed as one body. \
                The other format's document: ?bodyFormat=%s. Both formats carry the same headers and signatures. \
                Order (webHookConfig.ordering): "subject" delivers the events of one user or admin resource one at a \
                time in capture order, other subjects side by side; "subscription" delivers every event in capture \
                order, one POST at a time (see x-keycloak-delivery). The schema version is info.version; a \
                CloudEvent's dataschema names it too.""".formatted(format.id(), Batching.CONTENT_TYPE,
                format == BodyFormat.ESS ? BodyFormat.CLOUDEVENTS.id() : BodyFormat.ESS.id()));
        info.put("x-keycloak-version", Version.VERSION);
        info.set("x-keycloak-delivery", delivery());
        doc.put("defaultContentType", "application/json");
        ObjectNode channels = doc.putObject("channels");
        ObjectNode operations = doc.putObject("operations");
        ObjectNode components = doc.putObject("components");
        ObjectNode messages = components.putObject("messages");
        for (Topic topic : topics) {
            ObjectNode channel = channels.putObject(topic.name());
            channel.put("address", topic.name());
            channel.put("title", topic.name());
            channel.put("description", describe(topic));
            ObjectNode channelMessages = channel.putObject("messages");
            ObjectNode operation = operations.putObject("send." + topic.name());
            operation.put("action", "send");
            operation.put("summary", "Keycloak POSTs each event of " + topic.name() + " to the subscription's endpoint");
            operation.putObject("channel").put("$ref", "#/channels/" + topic.name());
            ArrayNode refs = operation.putArray("messages");
            ArrayNode security = operation.putArray("security");
            security.addObject().put("$ref", "#/components/securitySchemes/concurSignature");
            security.addObject().put("$ref", "#/components/securitySchemes/standardWebhooks");
            List<Message> carried = new ArrayList<>();
            carried.add(new Message(EventPayload.VERIFICATION, null, EventPayload.VERIFICATION));
            if (topic.source() == Topic.Source.TEST) {
                carried.add(new Message(TEST_MESSAGE, Topic.Source.TEST, null));
            } else {
                eventTypes(topic).forEach(type -> carried.add(new Message(type, topic.source(), type)));
            }
            for (Message message : carried) {
                String component = message.component();
                if (!messages.has(component)) {
                    messages.set(component, message(message, format));
                }
                channelMessages.putObject(message.key()).put("$ref", "#/components/messages/" + component);
                refs.addObject().put("$ref", "#/channels/" + topic.name() + "/messages/" + message.key());
            }
        }
        securitySchemes(components.putObject("securitySchemes"));
        return doc;
    }

    /** What a receiver may rely on about order, concurrency and batches, for tools that read the catalog. */
    private static ObjectNode delivery() {
        ObjectNode delivery = StrictJson.MAPPER.createObjectNode();
        ObjectNode orderings = delivery.putObject("orderings");
        orderings.put(DeliveryOrdering.SUBJECT.id(), "The default. Events with the same subject (a user event's user, an admin event's "
                + "resource: the first two segments of its resource path, a test event's facts.userId) arrive one at a time, in "
                + "capture order; events of other subjects are sent side by side, up to webHookConfig.maxInFlight at once (1-"
                + WebhookSettings.MAX_IN_FLIGHT_BOUND + ", default " + WebhookSettings.DEFAULT_MAX_IN_FLIGHT + "). An event that "
                + "fails holds only its subject's later events.");
        orderings.put(DeliveryOrdering.SUBSCRIPTION.id(), "Every event in capture order, one POST at a time; an event that fails "
                + "holds every later one. Subscriptions made before orderings existed have it.");
        ObjectNode batch = delivery.putObject("batch");
        batch.put("contentType", Batching.CONTENT_TYPE);
        batch.put("maxEvents", Batching.MAX_EVENTS);
        batch.put("maxWaitMs", Batching.MAX_WAIT_MS);
        batch.put("description", "webHookConfig.batch {maxEvents, maxWaitMs} on a cloudevents subscription: a JSON array of "
                + "CloudEvents in queue order, one webhook-id (batch_...) and one signature for the array; a 2xx acknowledges "
                + "every event in it, anything else retries them all. De-duplicate by each event's id.");
        delivery.put("atLeastOnce", "An event may arrive more than once (a retry, a node that stopped mid-send): de-duplicate by "
                + "webhook-id, or a CloudEvent's id.");
        return delivery;
    }

    /**
     * One message of a channel.
     *
     * @param key       its name in the channel: the event type
     * @param source    null for the verification event
     * @param eventType null for a test event (any type its publisher chose)
     */
    private record Message(String key, Topic.Source source, String eventType) {
        String component() {
            return source == null ? key : source.name().toLowerCase(Locale.ROOT) + "." + key;
        }
    }

    private ObjectNode message(Message message, BodyFormat format) {
        ObjectNode node = StrictJson.MAPPER.createObjectNode();
        node.put("name", message.key());
        node.put("title", message.eventType() == null ? "A test event" : message.eventType());
        node.put("summary", summary(message));
        node.put("contentType", format.contentType());
        node.set("headers", headers());
        ObjectNode payload = node.putObject("payload");
        payload.put("schemaFormat", SCHEMA_FORMAT);
        payload.set("schema", EventPayload.schema(format, message.source(), message.eventType()));
        return node;
    }

    private static String summary(Message message) {
        if (message.source() == null) {
            return "Sent once when a subscription is saved; answer 2xx to accept it";
        }
        return switch (message.source()) {
            case USER -> "Keycloak's user event " + message.eventType();
            case ADMIN -> "Keycloak's admin event: " + message.eventType().replace('.', ' ');
            case TEST -> "A test event an application published (POST /events/v4/topics/{topic}/events)";
            case WEBHOOKS -> OperationalEvent.of(message.eventType()).map(OperationalEvent::description).orElse(message.eventType());
        };
    }

    private static String describe(Topic topic) {
        String what = switch (topic.source()) {
            case USER -> "Keycloak's user events (sign-ins, profile changes, …)";
            case ADMIN -> "Keycloak's admin events, as <RESOURCE_TYPE>.<OPERATION>";
            case TEST -> "Test events applications publish themselves";
            case WEBHOOKS -> "What happens to this application's subscriptions and deliveries (all applications' for one whose service"
                    + " account may view the realm's events), and to the realm's webhook credentials; never about the receiving"
                    + " subscription itself";
        };
        return what + (topic.eventTypes().isPresent() ? ", restricted to the event types this topic declares" : "")
                + (topic.scope().isEmpty() ? "" : "; readable with scope " + topic.scope());
    }

    /** The headers of every delivery, in both formats. */
    private static ObjectNode headers() {
        ObjectNode properties = StrictJson.MAPPER.createObjectNode();
        properties.set(DeliveryHeaders.ID, JsonSchema.text("Standard Webhooks: the event's id, the same on every retry", 64));
        properties.set(DeliveryHeaders.TIMESTAMP, JsonSchema.pattern("^[0-9]+$", "Standard Webhooks: seconds since the epoch of this attempt"));
        properties.set(DeliveryHeaders.SIGNATURE, JsonSchema.string(
                "Standard Webhooks: v1,<base64 HMAC-SHA256 of id.timestamp.body> with the subscription's secret; during a rotation also one "
                        + "with the previous secret"));
        properties.set(ConcurSignature.HEADER, JsonSchema.string(
                "A compact JWS (RS256, detached payload) over the body, by a key of the realm's webhook JWKS"));
        properties.set(Correlation.HEADER, JsonSchema.string("The correlation id of the request that caused the event"));
        ObjectNode schema = StrictJson.MAPPER.createObjectNode();
        schema.put("type", "object");
        schema.set("properties", properties);
        ArrayNode required = schema.putArray("required");
        properties.fieldNames().forEachRemaining(required::add);
        return schema;
    }

    private void securitySchemes(ObjectNode schemes) {
        ObjectNode concur = schemes.putObject("concurSignature");
        concur.put("type", "httpApiKey");
        concur.put("name", ConcurSignature.HEADER);
        concur.put("in", "header");
        concur.put("description", "Verify the body against the realm's webhook signing keys: " + realmUrl + "/events/v4/jwks");
        concur.put("x-jwks-uri", realmUrl + "/events/v4/jwks");
        ObjectNode standard = schemes.putObject("standardWebhooks");
        standard.put("type", "httpApiKey");
        standard.put("name", DeliveryHeaders.SIGNATURE);
        standard.put("in", "header");
        standard.put("description", "Standard Webhooks HMAC with the subscription's secret (GET /events/v4/subscriptions/{id}/secret)");
        ObjectNode api = schemes.putObject("eventsApi");
        api.put("type", "oauth2");
        api.put("description", "How an application calls events/v4 itself (this catalog included): a client-credentials token with scope "
                + Topic.API_SCOPE + " and the scopes of its topics");
        ObjectNode flow = api.putObject("flows").putObject("clientCredentials");
        flow.put("tokenUrl", realmUrl + "/protocol/openid-connect/token");
        ObjectNode scopes = flow.putObject("availableScopes");
        scopes.put(Topic.API_SCOPE, "Every call of the events API");
        topics.stream().filter(topic -> !topic.scope().isEmpty())
                .forEach(topic -> scopes.put(topic.scope(), "Read topic " + topic.name()));
    }

    // ---- one JSON Schema -----------------------------------------------------------------------------------

    /**
     * The schema of {@code part} of {@code eventType}'s events on {@code topicName} (null: the first topic that
     * carries it, Keycloak's own events before test events), the body in {@code format}; empty when no readable
     * topic carries it.
     */
    public Optional<ObjectNode> jsonSchema(String topicName, String eventType, Part part, BodyFormat format) {
        for (Topic topic : ordered()) {
            if (topicName != null && !topic.name().equals(topicName)) {
                continue;
            }
            Optional<Topic.Source> source = sourceOf(topic, eventType);
            if (source == null) {
                continue;
            }
            Topic.Source kind = source.orElse(null);
            ObjectNode schema = StrictJson.MAPPER.createObjectNode();
            schema.put("$schema", JsonSchema.DIALECT);
            schema.put("$id", (part == Part.DATA ? EventPayload.dataSchema(realmUrl, topic.name(), eventType)
                    : EventPayload.bodySchema(realmUrl, topic.name(), eventType, format)).toString());
            schema.setAll(part == Part.DATA ? EventPayload.factsSchema(kind, eventType) : EventPayload.schema(format, kind, eventType));
            return Optional.of(schema);
        }
        return Optional.empty();
    }

    /**
     * Whether {@code topic} carries {@code eventType}, and as an event of which source (empty: the verification
     * event); null when it does not.
     */
    @SuppressWarnings("OptionalAssignedToNull")
    private static Optional<Topic.Source> sourceOf(Topic topic, String eventType) {
        if (eventType.equals(EventPayload.VERIFICATION)) {
            return Optional.empty();
        }
        if (topic.source() == Topic.Source.TEST) {
            return eventType.matches(EventPayload.TEST_EVENT_TYPE) && topic.carries(eventType) ? Optional.of(Topic.Source.TEST) : null;
        }
        return eventTypes(topic).contains(eventType) ? Optional.of(topic.source()) : null;
    }

    private List<Topic> ordered() {
        List<Topic> ordered = new ArrayList<>(topics.stream().filter(topic -> topic.source() != Topic.Source.TEST).toList());
        topics.stream().filter(topic -> topic.source() == Topic.Source.TEST).forEach(ordered::add);
        return ordered;
    }
}
