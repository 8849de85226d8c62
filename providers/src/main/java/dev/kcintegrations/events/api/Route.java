package dev.kcintegrations.events.api;

import java.util.List;

/** The paths of the events API under {@code /realms/{realm}/events}, and the methods each takes. */
enum Route {
    TOPICS("v4/topics", List.of("GET")),
    CATALOG("v4/catalog", List.of("GET")),
    TOPIC_EVENTS("v4/topics/{topic}/events", List.of("POST")),
    SUBSCRIPTIONS("v4/subscriptions", List.of("GET")),
    WEBHOOK("v4/subscriptions/webhook", List.of("PUT")),
    SUBSCRIPTION("v4/subscriptions/{id}", List.of("GET", "DELETE")),
    DELIVERIES("v4/subscriptions/{id}/deliveries", List.of("GET")),
    RETRY("v4/subscriptions/{id}/deliveries/{deliveryId}/retry", List.of("POST")),
    SECRET("v4/subscriptions/{id}/secret", List.of("GET")),
    ROTATE("v4/subscriptions/{id}/secret/rotate", List.of("POST"));

    private final String template;
    private final List<String> methods;

    Route(String template, List<String> methods) {
        this.template = template;
        this.methods = methods;
    }

    String template() {
        return template;
    }

    List<String> methods() {
        return methods;
    }

    /**
     * {@code PUT subscriptions/webhook} and {@code GET subscriptions/{id}} share a shape; "webhook" is the
     * PUT's path, so a subscription cannot be read under that id (ids are also valid without it).
     */
    static Route match(List<String> s) {
        if (s.isEmpty() || !s.get(0).equals("v4")) {
            throw ApiFailure.notFound("No such resource; the API is under /events/v4");
        }
        int n = s.size();
        if (n == 2 && s.get(1).equals("catalog")) {
            return CATALOG;
        }
        if (n >= 2 && s.get(1).equals("topics")) {
            if (n == 2) return TOPICS;
            if (n == 4 && s.get(3).equals("events")) return TOPIC_EVENTS;
        }
        if (n >= 2 && s.get(1).equals("subscriptions")) {
            if (n == 2) return SUBSCRIPTIONS;
            if (n == 3) return s.get(2).equals("webhook") ? WEBHOOK : SUBSCRIPTION;
            if (n == 4 && s.get(3).equals("deliveries")) return DELIVERIES;
            if (n == 6 && s.get(3).equals("deliveries") && s.get(5).equals("retry")) return RETRY;
            if (n == 4 && s.get(3).equals("secret")) return SECRET;
            if (n == 5 && s.get(3).equals("secret") && s.get(4).equals("rotate")) return ROTATE;
        }
        throw ApiFailure.notFound("No such resource: /events/" + String.join("/", s).replaceAll("[^A-Za-z0-9._~/-]", "?"));
    }
}
