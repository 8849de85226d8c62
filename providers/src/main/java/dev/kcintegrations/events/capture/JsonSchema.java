package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.shared.StrictJson;

import java.util.Collection;
import java.util.Map;

/**
 * The few JSON Schema (2020-12) shapes the catalog is written in. Only keywords that mean the same in draft-07
 * are used (no {@code $ref}, no {@code $defs}), so every schema stands alone and tools of either draft read it.
 */
public final class JsonSchema {

    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private JsonSchema() {
    }

    public static ObjectNode string(String description) {
        return described(description).put("type", "string");
    }

    public static ObjectNode text(String description, int maxLength) {
        return string(description).put("minLength", 1).put("maxLength", maxLength);
    }

    public static ObjectNode uri(String description) {
        return string(description).put("format", "uri");
    }

    public static ObjectNode integer(String description) {
        return described(description).put("type", "integer").put("minimum", 0);
    }

    public static ObjectNode dateTime(String description) {
        return string(description).put("format", "date-time");
    }

    public static ObjectNode constant(String value, String description) {
        return string(description).put("const", value);
    }

    public static ObjectNode pattern(String regex, String description) {
        return string(description).put("pattern", regex);
    }

    public static ObjectNode names(String description) {
        ObjectNode schema = described(description).put("type", "array").put("uniqueItems", true);
        schema.putObject("items").put("type", "string");
        return schema;
    }

    /**
     * @param open whether properties not named here may appear ({@code false}: a body with one more field fails,
     *             which is what keeps the catalog honest)
     */
    public static ObjectNode object(String description, Map<String, ObjectNode> properties, Collection<String> required, boolean open) {
        ObjectNode schema = described(description).put("type", "object");
        ObjectNode props = schema.putObject("properties");
        properties.forEach(props::set);
        if (!required.isEmpty()) {
            ArrayNode names = schema.putArray("required");
            required.forEach(names::add);
        }
        schema.put("additionalProperties", open);
        return schema;
    }

    private static ObjectNode described(String description) {
        ObjectNode schema = StrictJson.MAPPER.createObjectNode();
        if (description != null) {
            schema.put("description", description);
        }
        return schema;
    }
}
