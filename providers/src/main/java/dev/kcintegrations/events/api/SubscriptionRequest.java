package dev.kcintegrations.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.lifecycle.SubscriptionIds;
import dev.kcintegrations.events.topics.EventTypeFilter;
import dev.kcintegrations.shared.StrictJson;

/**
 * The body of {@code PUT /subscriptions/webhook}: {@code {"id","filter","topic","webHookConfig":{"endpoint","format"}}},
 * {@code format} optional ({@code ess} when absent: a PUT states the whole subscription). Other fields (such as
 * the read-only ones a client copied from a GET) are ignored.
 */
record SubscriptionRequest(String id, EventTypeFilter filter, String topic, String endpoint, BodyFormat format) {

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
        return new SubscriptionRequest(id, filter, topic, endpoint.asText().strip(),
                format == null || format.isNull() ? BodyFormat.ESS : BodyFormat.parse(format.asText()).orElseThrow());
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
