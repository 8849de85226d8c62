package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checks delivered bodies against the realm's event catalog the way a receiver that generated its code from it
 * relies on: each body's schema fetched from {@code events/v4/catalog} ({@code ?format=json-schema}, or a
 * CloudEvent's own {@code dataschema}) and validated with Ajv by {@code validate-event.js}.
 */
final class CatalogCheck {

    private CatalogCheck() {
    }

    static void assertDeliveriesMatchTheCatalog(Keycloak keycloak, List<WebhookReceiver.Received> deliveries) {
        Set<String> bodies = new LinkedHashSet<>();
        deliveries.forEach(delivery -> bodies.add(delivery.body())); // a retry is the same body
        if (bodies.isEmpty()) {
            return;
        }
        Ess reader = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Map<URI, JsonNode> schemas = new HashMap<>();
        ArrayNode checks = Http.JSON.createArrayNode();
        for (String body : bodies) {
            JsonNode event = parse(body);
            ObjectNode check = checks.addObject();
            check.put("name", event.path("id").asText() + " " + event.path(event.has("specversion") ? "type" : "eventType").asText());
            check.set("schema", schemas.computeIfAbsent(schemaOf(keycloak, event), url -> fetch(reader, url)));
            check.put("body", body);
        }
        NodeScript.Result result = NodeScript.run("validate-event.js", checks);
        assertEquals(0, result.exit(), "every delivered body matches its schema in the catalog: " + result.output());
    }

    /** The body's own schema: an ess body's by its topic and type, a CloudEvent's by its dataschema (the whole body's). */
    static URI schemaOf(Keycloak keycloak, JsonNode event) {
        if (event.has("specversion")) {
            return URI.create(event.get("dataschema").asText().replace("&part=data", "&bodyFormat=cloudevents"));
        }
        return keycloak.realmUrl(Ess.REALM, "/events/v4/catalog?format=json-schema&topic=" + encoded(event.get("topic").asText())
                + "&eventType=" + encoded(event.get("eventType").asText()));
    }

    static JsonNode fetch(Ess reader, URI url) {
        Http.Reply reply = Http.get(url, Map.of("Authorization", "Bearer " + reader.token()));
        if (reply.status() == 404 && url.getQuery().contains("topic=") && !topics(reader).contains(topicOf(url))) {
            // A topic the test declared and deleted again: its events' schemas are those of its source. A topic
            // that still exists gets no such second chance.
            reply = Http.get(URI.create(url.toString().replaceAll("&topic=[^&]*", "")), Map.of("Authorization", "Bearer " + reader.token()));
        }
        assertEquals(200, reply.status(), url + ": " + reply.body());
        assertEquals("application/schema+json;charset=utf-8", reply.header("Content-Type").orElseThrow().replace(" ", ""));
        return reply.json();
    }

    private static List<String> topics(Ess reader) {
        List<String> topics = new ArrayList<>();
        reader.get("/topics").json().forEach(topic -> topics.add(topic.asText()));
        return topics;
    }

    private static String topicOf(URI url) {
        return URLDecoder.decode(url.getQuery().replaceAll(".*(?:^|&)topic=([^&]*).*", "$1"), StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String body) {
        try {
            return Http.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("A delivered body is not JSON: " + body, e);
        }
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
