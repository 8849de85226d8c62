package dev.kcintegrations.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lifecycle.SubscriptionIds;
import dev.kcintegrations.events.topics.EventTypeFilter;
import dev.kcintegrations.shared.StrictJson;

import java.util.List;
import java.util.Optional;

/**
 * The body of {@code PUT /subscriptions/webhook}:
 * {@code {"id","filter","topic","webHookConfig":{"endpoint","format","ordering","maxInFlight","batch":{"maxEvents","maxWaitMs"},
 * "auth":{"type":"bearer","audience","scope"}}}}.
 * {@code format} is optional ({@code ess} when absent: a PUT states the body it wants). {@code ordering},
 * {@code maxInFlight}, {@code batch} and {@code auth} are optional and null when absent: a new subscription then gets the
 * defaults and an existing one keeps its own, so a client written before they existed changes nothing by saving;
 * {@code "batch": null} ends batching ({@code batch} is then an empty Optional), {@code "auth": null} the bearer token. The read-only fields of a GET
 * ({@code applicationId}, {@code scope}, {@code groups}, {@code companyIds}) may be sent back; any other field
 * is refused, never ignored: a client that asks for a setting this server does not have must learn so.
 */
record SubscriptionRequest(String id, EventTypeFilter filter, String topic, String endpoint, BodyFormat format,
                           DeliveryOrdering ordering, Integer maxInFlight, Optional<Batching> batch,
                           Optional<BearerAuth> auth) {

    private static final List<String> FIELDS = List.of("id", "topic", "filter", "webHookConfig");
    private static final List<String> READ_ONLY = List.of("applicationId", "scope", "groups", "companyIds");
    private static final List<String> CONFIG_FIELDS = List.of("endpoint", "format", "ordering", "maxInFlight", "batch", "auth");
    private static final List<String> AUTH_FIELDS = List.of("type", "audience", "scope");
    private static final List<String> BATCH_FIELDS = List.of("maxEvents", "maxWaitMs");

    static SubscriptionRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = StrictJson.MAPPER.readTree(body);
        } catch (Exception e) {
            throw ApiFailure.badRequest("The body must be one JSON object");
        }
        if (root == null || !root.isObject()) {
            throw ApiFailure.badRequest("The body must be one JSON object");
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name) && !READ_ONLY.contains(name)) {
                throw ApiFailure.badRequest("unknown field '" + name + "' (fields: " + String.join(", ", FIELDS)
                        + "; applicationId, scope, groups and companyIds are read-only and may be sent back as read)");
            }
        });
        String id = text(root, "id");
        SubscriptionIds.problem(id).ifPresent(problem -> {
            throw ApiFailure.badRequest(problem);
        });
        String filterSource = text(root, "filter");
        EventTypeFilter filter;
        try {
            filter = EventTypeFilter.compile(filterSource);
        } catch (EventTypeFilter.InvalidFilterException e) {
            throw ApiFailure.badRequest(e.getMessage()); // each names the field: "filter must …", "filter is …"
        }
        String topic = text(root, "topic");
        if (topic.isBlank()) {
            throw ApiFailure.badRequest("topic is required");
        }
        JsonNode config = root.get("webHookConfig");
        if (config == null || !config.isObject()) {
            throw ApiFailure.badRequest("webHookConfig must be an object with an endpoint");
        }
        config.fieldNames().forEachRemaining(name -> {
            if (!CONFIG_FIELDS.contains(name)) {
                throw ApiFailure.badRequest("unknown field 'webHookConfig." + name + "' (fields: " + String.join(", ", CONFIG_FIELDS) + ")");
            }
        });
        JsonNode endpoint = config.get("endpoint");
        if (endpoint == null || !endpoint.isTextual() || endpoint.asText().isBlank()) {
            throw ApiFailure.badRequest("webHookConfig.endpoint must be a URL string");
        }
        if (endpoint.asText().length() > 2048) {
            throw ApiFailure.badRequest("webHookConfig.endpoint must be at most 2048 characters");
        }
        JsonNode format = config.get("format");
        if (format != null && !format.isNull() && (!format.isTextual() || BodyFormat.parse(format.asText()).isEmpty())) {
            throw ApiFailure.badRequest("webHookConfig.format must be one of " + BodyFormat.allowed());
        }
        DeliveryOrdering ordering = ordering(config.get("ordering"));
        Integer maxInFlight = maxInFlight(config.get("maxInFlight"));
        if (maxInFlight != null && maxInFlight != 1 && ordering == DeliveryOrdering.SUBSCRIPTION) { // 1 is what it is
            throw ApiFailure.badRequest("webHookConfig.maxInFlight applies only to ordering subject (subscription keeps one POST in flight)");
        }
        BodyFormat bodyFormat = format == null || format.isNull() ? BodyFormat.ESS : BodyFormat.parse(format.asText()).orElseThrow();
        Optional<Batching> batch = batch(config);
        if (batch != null && batch.isPresent() && bodyFormat != BodyFormat.CLOUDEVENTS) {
            throw ApiFailure.badRequest("webHookConfig.batch needs format cloudevents (a batch is a JSON array of CloudEvents)");
        }
        return new SubscriptionRequest(id, filter, topic, endpoint.asText().strip(), bodyFormat, ordering, maxInFlight, batch,
                auth(config));
    }

    /** Null when absent (kept), empty when null (none), else the bearer token asked for. */
    private static Optional<BearerAuth> auth(JsonNode config) {
        if (!config.has("auth")) {
            return null;
        }
        JsonNode auth = config.get("auth");
        if (auth.isNull()) {
            return Optional.empty();
        }
        if (!auth.isObject()) {
            throw ApiFailure.badRequest("webHookConfig.auth must be an object {type, audience, scope} or null");
        }
        auth.fieldNames().forEachRemaining(name -> {
            if (!AUTH_FIELDS.contains(name)) {
                throw ApiFailure.badRequest("unknown field 'webHookConfig.auth." + name + "' (fields: " + String.join(", ", AUTH_FIELDS) + ")");
            }
        });
        JsonNode type = auth.get("type");
        if (type == null || !type.isTextual() || !BearerAuth.TYPE.equals(type.asText())) {
            throw ApiFailure.badRequest("webHookConfig.auth.type must be \"" + BearerAuth.TYPE + "\"");
        }
        String audience = auth.path("audience").isTextual() ? auth.get("audience").asText() : null;
        String scope = auth.path("scope").isTextual() ? auth.get("scope").asText() : null;
        BearerAuth.problem(audience, scope).ifPresent(problem -> {
            throw ApiFailure.badRequest(problem);
        });
        return Optional.of(new BearerAuth(audience, scope));
    }

    /** Null when absent, empty when null, else the batches asked for. */
    private static Optional<Batching> batch(JsonNode config) {
        if (!config.has("batch")) {
            return null;
        }
        JsonNode batch = config.get("batch");
        if (batch.isNull()) {
            return Optional.empty();
        }
        if (!batch.isObject()) {
            throw ApiFailure.badRequest("webHookConfig.batch must be an object {maxEvents, maxWaitMs} or null");
        }
        batch.fieldNames().forEachRemaining(name -> {
            if (!BATCH_FIELDS.contains(name)) {
                throw ApiFailure.badRequest("unknown field 'webHookConfig.batch." + name + "' (fields: " + String.join(", ", BATCH_FIELDS) + ")");
            }
        });
        int maxEvents = whole(batch.get("maxEvents"), "webHookConfig.batch.maxEvents", 1, Batching.MAX_EVENTS, null);
        int maxWaitMs = whole(batch.get("maxWaitMs"), "webHookConfig.batch.maxWaitMs", 0, Batching.MAX_WAIT_MS, 1000);
        return Optional.of(new Batching(maxEvents, maxWaitMs));
    }

    /** A whole number within [min, max]; {@code absent} when the field is missing, required when that is null. */
    private static int whole(JsonNode node, String field, int min, int max, Integer absent) {
        if (node == null || node.isNull()) {
            if (absent == null) {
                throw ApiFailure.badRequest(field + " is required");
            }
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw ApiFailure.badRequest(field + " must be a whole number from " + min + " to " + max);
        }
        return node.intValue();
    }

    private static DeliveryOrdering ordering(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || DeliveryOrdering.parse(node.asText()).isEmpty()) {
            throw ApiFailure.badRequest("webHookConfig.ordering must be one of " + DeliveryOrdering.allowed());
        }
        return DeliveryOrdering.parse(node.asText()).orElseThrow();
    }

    private static Integer maxInFlight(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return whole(node, "webHookConfig.maxInFlight", 1, WebhookSettings.MAX_IN_FLIGHT_BOUND, null);
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw ApiFailure.badRequest(field + " is required");
        }
        if (!node.isTextual()) {
            throw ApiFailure.badRequest(field + " must be a string");
        }
        return node.asText();
    }
}
