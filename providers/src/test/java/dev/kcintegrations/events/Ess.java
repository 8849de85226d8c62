package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import dev.kcintegrations.testing.Await;
import java.time.Duration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.function.Predicate;

/** An application of the demo realm calling the events API as a client would. */
final class Ess {

    static final String REALM = "integrations";
    static final String SUBSCRIBER = "ess-subscriber";
    static final String SUBSCRIBER_SECRET = "EssSubscriberDemoSecret-01";

    private final Keycloak keycloak;
    private final String realm;
    private final String token;
    private final String clientId;

    Ess(Keycloak keycloak, String token) {
        this(keycloak, REALM, token, null);
    }

    private Ess(Keycloak keycloak, String realm, String token, String clientId) {
        this.keycloak = keycloak;
        this.realm = realm;
        this.token = token;
        this.clientId = clientId;
    }

    /** An application of another realm, e.g. a {@link dev.kcintegrations.testing.ScratchRealm}. */
    static Ess inRealm(Keycloak keycloak, String realm, String clientId, String secret) {
        return new Ess(keycloak, realm, token(keycloak, realm, clientId, secret), clientId);
    }

    static Ess subscriber(Keycloak keycloak) {
        return new Ess(keycloak, REALM, token(keycloak, REALM, SUBSCRIBER, SUBSCRIBER_SECRET), SUBSCRIBER);
    }

    String clientId() {
        return clientId;
    }

    static String token(Keycloak keycloak, String realm, String clientId, String secret) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        Http.Reply reply = Http.post(keycloak.realmUrl(realm, "/protocol/openid-connect/token"),
                Map.of("Authorization", "Basic " + basic, "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials");
        if (reply.status() != 200) {
            throw new AssertionError("No token for " + clientId + ": " + reply.body());
        }
        return reply.json().get("access_token").asText();
    }

    /**
     * A new confidential client of the demo realm with a service account and these default scopes, created
     * through the admin API; returns its client id (its secret is {@code secret-<clientId>}).
     */
    static String newApplication(Keycloak keycloak, String... defaultScopes) {
        String clientId = "app-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode client = keycloak.admin().object();
        client.put("clientId", clientId);
        client.put("secret", "secret-" + clientId);
        client.put("publicClient", false);
        client.put("serviceAccountsEnabled", true);
        client.put("standardFlowEnabled", false);
        client.put("fullScopeAllowed", false);
        var scopes = client.putArray("defaultClientScopes");
        scopes.add("basic");
        for (String scope : defaultScopes) {
            scopes.add(scope);
        }
        client.putArray("optionalClientScopes");
        keycloak.admin().create("/" + REALM + "/clients", client);
        return clientId;
    }

    static Ess application(Keycloak keycloak, String clientId) {
        return new Ess(keycloak, REALM, token(keycloak, REALM, clientId, "secret-" + clientId), clientId);
    }

    String token() {
        return token;
    }

    URI url(String path) {
        return keycloak.realmUrl(realm, "/events/v4" + path);
    }

    Http.Reply call(String method, String path, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + token);
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        return Http.send(method, url(path), headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    Http.Reply get(String path) {
        return call("GET", path, null);
    }

    Http.Reply subscribe(String id, String filter, String topic, URI endpoint) {
        return call("PUT", "/subscriptions/webhook", subscription(id, filter, topic, endpoint.toString()));
    }

    /**
     * A subscription with a delivery setting of {@code webHookConfig}: {@code ordering} ({@code subject},
     * {@code subscription}) and, when not null, {@code maxInFlight}.
     */
    Http.Reply subscribe(String id, String filter, String topic, URI endpoint, String ordering, Integer maxInFlight) {
        ObjectNode body = subscriptionBody(id, filter, topic, endpoint.toString());
        ObjectNode config = (ObjectNode) body.get("webHookConfig");
        config.put("ordering", ordering);
        if (maxInFlight != null) {
            config.put("maxInFlight", maxInFlight);
        }
        return call("PUT", "/subscriptions/webhook", body.toString());
    }

    /** For tests of the total order: every event in capture order, one POST on the wire. */
    Http.Reply subscribeInTotalOrder(String id, String filter, String topic, URI endpoint) {
        return subscribe(id, filter, topic, endpoint, "subscription", null);
    }

    static String subscription(String id, String filter, String topic, String endpoint) {
        return subscriptionBody(id, filter, topic, endpoint).toString();
    }

    private static ObjectNode subscriptionBody(String id, String filter, String topic, String endpoint) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("id", id);
        body.put("filter", filter);
        body.put("topic", topic);
        body.putObject("webHookConfig").put("endpoint", endpoint);
        return body;
    }

    Http.Reply delete(String id) {
        return call("DELETE", "/subscriptions/" + id, null);
    }

    String secret(String id) {
        return get("/subscriptions/" + id + "/secret").json().get("secret").asText();
    }

    Http.Reply publishTest(String eventType) {
        return call("POST", "/topics/public.test/events", "{\"eventType\":\"" + eventType + "\"}");
    }

    /** A test event about a user: {@code facts.userId}, its order key with {@code subject} ordering. */
    Http.Reply publishTest(String eventType, String userId) {
        return call("POST", "/topics/public.test/events", "{\"eventType\":\"" + eventType + "\",\"facts\":{\"userId\":\"" + userId + "\"}}");
    }

    List<JsonNode> deliveries(String id, String status) {
        Http.Reply reply = get("/subscriptions/" + id + "/deliveries" + (status == null ? "" : "?status=" + URLEncoder.encode(status, StandardCharsets.UTF_8)));
        if (reply.status() != 200) {
            throw new AssertionError(reply.body());
        }
        List<JsonNode> list = new ArrayList<>();
        reply.json().get("deliveries").forEach(list::add);
        return list;
    }

    /**
     * The admin REST representation of an "Event topics" component (the admin console's form) of this realm:
     * topic name, the scope that may read it, its source ({@code user} or {@code admin}) and, when not null,
     * an event-type pattern.
     */
    static ObjectNode topicComponent(Keycloak keycloak, String topic, String scope, String source, String eventTypes) {
        ObjectNode component = keycloak.admin().object();
        component.put("name", topic);
        component.put("providerId", "event-topics");
        component.put("providerType", "org.keycloak.services.ui.extend.UiPageProvider");
        component.put("parentId", keycloak.admin().get("/" + REALM).get("id").asText());
        ObjectNode config = component.putObject("config");
        config.putArray("topic").add(topic);
        config.putArray("scope").add(scope);
        config.putArray("source").add(source);
        if (eventTypes != null) {
            config.putArray("eventTypes").add(eventTypes);
        }
        return component;
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static final String[] ALL_SCOPES = {"events.topic.read", "events.user.read", "events.admin.read"};

    static void assertError(Http.Reply reply, int status, String messagePart) {
        assertEquals(status, reply.status(), reply.shown());
        JsonNode body = reply.json();
        assertEquals(status, body.get("statusCode").asInt(), reply.shown());
        assertTrue(body.get("message").asText().contains(messagePart), reply.shown());
        assertEquals(reply.header("Concur-Correlationid").orElseThrow(), body.get("correlationId").asText());
    }

    static Ess application(Keycloak keycloak) {
        return application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
    }

    static JsonNode awaitDelivery(Ess app, String subscription, Predicate<JsonNode> condition) {
        List<JsonNode> seen = Await.until("a delivery of " + subscription + " in the expected state", Duration.ofSeconds(30),
                () -> app.deliveries(subscription, null), deliveries -> deliveries.stream().anyMatch(condition));
        return seen.stream().filter(condition).findFirst().orElseThrow();
    }

    static JWKSet webhookJwks(Keycloak keycloak) throws Exception {
        return JWKSet.parse(Http.get(keycloak.realmUrl(Ess.REALM, "/events/v4/jwks"), Map.of()).body());
    }

    /** Sets the realm attribute webhookAllowedHosts, as a realm administrator would. */
    static void allowHosts(Keycloak keycloak, String realm, String hosts) {
        ObjectNode rep = (ObjectNode) keycloak.admin().get("/" + realm);
        ((ObjectNode) rep.get("attributes")).put("webhookAllowedHosts", hosts);
        keycloak.admin().put("/" + realm, rep);
    }

    static final String ENGINE = "--spi-events-listener--webhook-events--";
}
