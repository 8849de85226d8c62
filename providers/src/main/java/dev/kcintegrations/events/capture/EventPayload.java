package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.shared.StrictJson;

import java.time.Instant;

/**
 * What a subscriber receives, in the source service's shape:
 * {@code {"id","correlationId","eventType","topic","subtopic","timeStamp","facts"}}. {@code id} is the
 * Keycloak event id, the same on every retry; {@code subtopic} is the realm's name.
 */
public record EventPayload(String id, String correlationId, String eventType, String topic, String subtopic,
                           Instant timeStamp, ObjectNode facts) {

    public String toJson() {
        ObjectNode node = StrictJson.MAPPER.createObjectNode();
        node.put("id", id);
        node.put("correlationId", correlationId);
        node.put("eventType", eventType);
        node.put("topic", topic);
        node.put("subtopic", subtopic);
        node.put("timeStamp", timeStamp.toString());
        node.set("facts", facts);
        try {
            return StrictJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An object node always serialises", e);
        }
    }

    public EventPayload forTopic(String otherTopic) {
        return new EventPayload(id, correlationId, eventType, otherTopic, subtopic, timeStamp, facts);
    }
}
