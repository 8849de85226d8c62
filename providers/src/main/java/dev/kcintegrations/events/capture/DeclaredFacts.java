package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.shared.StrictJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The facts of one kind of event, in order, declared once ({@link EventFacts} holds the declarations): each
 * declaration both builds the facts of an event and describes them in the JSON Schema the catalog publishes, so
 * what is delivered and what is documented cannot drift.
 *
 * @param <S> what the facts are read from
 */
final class DeclaredFacts<S> {

    /**
     * One fact: its name; the schema of its value for an event type; which event types may carry it; how it
     * is read from its source (null: absent, left out of the facts); whether every event of the kind has it.
     */
    private record Fact<S>(String name, Function<String, ObjectNode> schema, Predicate<String> carriedBy,
                           Function<S, JsonNode> value, boolean required) {
    }

    private final String description;
    private final boolean open;
    private final List<Fact<S>> facts = new ArrayList<>();

    /** @param open whether facts not declared here may appear (a test event's publisher chooses its own) */
    DeclaredFacts(String description, boolean open) {
        this.description = description;
        this.open = open;
    }

    DeclaredFacts<S> fact(String name, Function<String, ObjectNode> schema, Function<S, JsonNode> value) {
        facts.add(new Fact<>(name, schema, type -> true, value, false));
        return this;
    }

    /** A text value, cut at {@value EventFacts#MAX_VALUE} characters; empty is absent. */
    DeclaredFacts<S> text(String name, String description, Function<S, String> read) {
        return fact(name, type -> JsonSchema.text(description, EventFacts.MAX_VALUE), s -> EventFacts.text(read.apply(s)));
    }

    /** The fact declared last is carried by these event types only. */
    DeclaredFacts<S> onlyFor(Predicate<String> types) {
        Fact<S> last = facts.removeLast();
        facts.add(new Fact<>(last.name(), last.schema(), types, last.value(), last.required()));
        return this;
    }

    /** The fact declared last is in every event of the kind. */
    DeclaredFacts<S> required() {
        Fact<S> last = facts.removeLast();
        facts.add(new Fact<>(last.name(), last.schema(), last.carriedBy(), last.value(), true));
        return this;
    }

    ObjectNode build(S source) {
        ObjectNode built = StrictJson.MAPPER.createObjectNode();
        for (Fact<S> fact : facts) {
            JsonNode value = fact.value().apply(source);
            if (value != null) {
                built.set(fact.name(), value);
            }
        }
        return built;
    }

    ObjectNode schema(String eventType) {
        Map<String, ObjectNode> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Fact<S> fact : facts) {
            if (fact.carriedBy().test(eventType)) {
                properties.put(fact.name(), fact.schema().apply(eventType));
                if (fact.required()) {
                    required.add(fact.name());
                }
            }
        }
        return JsonSchema.object(description, properties, required, open);
    }
}
