package dev.kcintegrations.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.EventSubscriptionsProvider;
import dev.kcintegrations.events.capture.EventFacts;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.catalog.EventCatalog;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.events.config.RealmUrl;
import dev.kcintegrations.events.lifecycle.DeliveryHistory;
import dev.kcintegrations.events.lifecycle.DeliveryView;
import dev.kcintegrations.events.lifecycle.PerMinuteLimiter;
import dev.kcintegrations.events.lifecycle.Subscription;
import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;
import dev.kcintegrations.events.sender.RealmClientCertificates;
import dev.kcintegrations.events.sender.WebhookSigningKey;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.BoundedBody;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /realms/{realm}/events/v4}: the Event Subscription Service API. Routing is done here rather than by
 * JAX-RS annotations so that every answer — unknown paths and wrong methods included — is JSON in the one
 * documented shape and carries the correlation id.
 *
 * <p>Over 300 lines: one JAX-RS resource per API, as Keycloak routes a realm extension; each method only
 * authorizes, parses (SubscriptionRequest) and asks SubscriptionLifecycle or the outbox's queries; the shapes
 * are records in this package.
 */
@EventsFormBody
public final class EventsApi {

    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(EventsApi.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final EventSubscriptionsProvider subscriptions;
    private final String correlationId;
    private final PerMinuteLimiter testEvents;
    private final SubscriptionLifecycle lifecycle;

    EventsApi(KeycloakSession session, PerMinuteLimiter testEvents) {
        this.session = session;
        this.testEvents = testEvents;
        this.realm = session.getContext().getRealm();
        this.subscriptions = session.getProvider(EventSubscriptionsProvider.class);
        this.correlationId = Correlation.ofRequest(session);
        this.lifecycle = subscriptions.lifecycle(realm);
    }

    /**
     * The public keys that verify {@code Concur-Signature}: public like the realm's {@code certs}, and the
     * only place they are published.
     */
    @GET
    @Path("v4/jwks")
    public Response jwks() {
        try {
            return Response.ok(WebhookSigningKey.jwks(session, realm), MediaType.APPLICATION_JSON_TYPE)
                    .header("Cache-Control", "max-age=300").build();
        } catch (RuntimeException unexpected) {
            LOG.errorf(unexpected, "events/v4 GET jwks failed unexpectedly, correlationId=%s", correlationId);
            return ApiResponses.error(new ApiFailure(500, "Internal error; quote correlation id " + correlationId), correlationId);
        }
    }

    /**
     * The certificates the realm's webhook POSTs present in TLS, for receivers that accept only them: the one presented
     * now, the next one (published {@code client-certificate-overlap} before it is presented) and those it replaced.
     * Public, as the certificates are; never a key.
     */
    @GET
    @Path("v4/client-certificates")
    public Response clientCertificates() {
        try {
            return Response.ok(Map.of("certificates", RealmClientCertificates.views(session, realm, System.currentTimeMillis())),
                    MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "max-age=300").build();
        } catch (RuntimeException unexpected) {
            LOG.errorf(unexpected, "events/v4 GET client-certificates failed unexpectedly, correlationId=%s", correlationId);
            return ApiResponses.error(new ApiFailure(500, "Internal error; quote correlation id " + correlationId), correlationId);
        }
    }

    @GET
    @Path("{path: .*}")
    public Response get(@PathParam("path") String path) {
        return handle("GET", path, null);
    }

    @PUT
    @Path("{path: .*}")
    public Response put(@PathParam("path") String path, InputStream body) {
        return handle("PUT", path, body);
    }

    @POST
    @Path("{path: .*}")
    public Response post(@PathParam("path") String path, InputStream body) {
        return handle("POST", path, body);
    }

    @DELETE
    @Path("{path: .*}")
    public Response delete(@PathParam("path") String path) {
        return handle("DELETE", path, null);
    }

    @PATCH
    @Path("{path: .*}")
    public Response patch(@PathParam("path") String path) {
        return handle("PATCH", path, null);
    }

    private Response handle(String method, String path, InputStream body) {
        String route = "unknown";
        String application = "-";
        Response response;
        try {
            List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
            Route matched = Route.match(segments);
            route = matched.template();
            if (!matched.methods().contains(method)) {
                throw new ApiFailure(405, "Method " + method + " is not allowed here; allowed: " + String.join(", ", matched.methods()),
                        Map.of("Allow", String.join(", ", matched.methods())));
            }
            Application app = Application.authenticate(session, realm).requireApiScope();
            application = app.clientId();
            response = dispatch(matched, method, segments, app, body);
        } catch (ApiFailure failure) {
            response = ApiResponses.error(failure, correlationId);
        } catch (SubscriptionLifecycle.Refused refused) {
            response = ApiResponses.error(ApiFailure.of(refused), correlationId);
        } catch (RuntimeException unexpected) {
            LOG.errorf(unexpected, "events/v4 %s %s failed unexpectedly, correlationId=%s", method, route, correlationId);
            response = ApiResponses.error(new ApiFailure(500, "Internal error; quote correlation id " + correlationId), correlationId);
        }
        LOG.infof("events/v4 %s %s -> %d application=%s correlationId=%s", method, route, response.getStatus(), application, correlationId);
        return response;
    }

    private Response dispatch(Route route, String method, List<String> s, Application app, InputStream body) {
        return switch (route) {
            case TOPICS -> ApiResponses.json(200, app.readableTopics(realm).stream().map(Topic::name).toList(), correlationId);
            case CATALOG -> catalog(app);
            case TOPIC_EVENTS -> publishTestEvent(app, s.get(2), readOptional(body));
            case SUBSCRIPTIONS -> ApiResponses.json(200, lifecycle.ofApplication(app.id()).stream()
                    .map(owned -> SubscriptionView.of(owned, subscriptions.settings())).toList(), correlationId);
            case WEBHOOK -> save(app, SubscriptionRequest.parse(read(body)));
            case SUBSCRIPTION -> method.equals("GET")
                    ? ApiResponses.json(200, List.of(SubscriptionView.of(lifecycle.owned(app.id(), s.get(2)), subscriptions.settings())), correlationId)
                    : remove(lifecycle.owned(app.id(), s.get(2)));
            case DELIVERIES -> deliveries(lifecycle.owned(app.id(), s.get(2)));
            case RETRY -> retry(lifecycle.owned(app.id(), s.get(2)), s.get(4));
            case SECRET -> secret(lifecycle.owned(app.id(), s.get(2)));
            case ROTATE -> rotate(lifecycle.owned(app.id(), s.get(2)));
        };
    }

    // ---- catalog -------------------------------------------------------------------------------------

    private static final MediaType SCHEMA_JSON = new MediaType("application", "schema+json");

    /**
     * The AsyncAPI document of the topics this token may read, for one body format ({@code bodyFormat}, ess by
     * default), or ({@code format=json-schema}) the JSON Schema of one event type's body or facts. A
     * {@code version} other than the one served is a 404, never another version's schema passed off as it.
     */
    private Response catalog(Application app) {
        MultivaluedMap<String, String> query = session.getContext().getUri().getQueryParameters();
        String version = query.getFirst("version");
        if (version != null && !version.equals(EventPayload.SCHEMA_VERSION)) {
            throw ApiFailure.notFound("This server serves version " + EventPayload.SCHEMA_VERSION + " of the event schemas only");
        }
        String bodyFormat = query.getFirst("bodyFormat");
        BodyFormat body = bodyFormat == null ? BodyFormat.ESS : BodyFormat.parse(bodyFormat)
                .orElseThrow(() -> ApiFailure.badRequest("bodyFormat must be one of " + BodyFormat.allowed()));
        String format = query.getFirst("format");
        if (format != null && !format.equals("asyncapi") && !format.equals("json-schema")) {
            throw ApiFailure.badRequest("format must be asyncapi (the default) or json-schema");
        }
        boolean asyncApi = format == null || format.equals("asyncapi");
        String eventType = query.getFirst("eventType");
        if (!asyncApi && (eventType == null || eventType.isBlank())) {
            throw ApiFailure.badRequest("eventType is required with format=json-schema");
        }
        String partName = query.getFirst("part");
        EventCatalog.Part part = partName == null ? EventCatalog.Part.BODY : EventCatalog.Part.parse(partName).orElseThrow(() ->
                ApiFailure.badRequest("part must be one of " + String.join(", ",
                        Arrays.stream(EventCatalog.Part.values()).map(EventCatalog.Part::id).toList())));
        String topic = query.getFirst("topic");
        URI realmUrl = RealmUrl.of(session, realm);
        List<Topic> topics = app.readableTopics(realm);
        String key = asyncApi ? CatalogDocuments.key(realm.getId(), realmUrl, topics, "asyncapi", "bodyFormat=" + body.id())
                : CatalogDocuments.key(realm.getId(), realmUrl, topics, "json-schema", "bodyFormat=" + body.id(), "part=" + part.id(),
                topic == null ? "no topic" : "topic=" + topic, "eventType=" + eventType);
        CatalogDocuments.Document document = CatalogDocuments.get(key, asyncApi ? MediaType.APPLICATION_JSON_TYPE : SCHEMA_JSON,
                () -> {
                    EventCatalog catalog = new EventCatalog(realm.getName(), realmUrl, topics);
                    return asyncApi ? catalog.asyncApi(body) : catalog.jsonSchema(topic, eventType, part, body).orElseThrow(() ->
                            ApiFailure.notFound((topic == null ? "No topic" : "No topic of that name") + " this token may read carries that event type"));
                });
        return CatalogDocuments.respond(document, session.getContext().getRequestHeaders(), correlationId);
    }

    // ---- subscriptions -------------------------------------------------------------------------------

    private Response save(Application app, SubscriptionRequest request) {
        lifecycle.subscribe(app.id(), new SubscriptionLifecycle.Subscribe(request.id(), request.topic(), request.filter().source(),
                        request.endpoint(), request.format(), request.ordering(), request.maxInFlight(), request.batch(),
                        request.auth()),
                currentRealm -> app.readableTopic(currentRealm, request.topic()), correlationId);
        return ApiResponses.message(200, "Subscription '" + request.id() + "' saved successfully", correlationId);
    }

    private Response remove(Subscription subscription) {
        lifecycle.cancelByApplication(subscription);
        return ApiResponses.message(200, "Subscription '" + subscription.name() + "' marked for deletion", correlationId);
    }

    // ---- deliveries ----------------------------------------------------------------------------------

    private Response deliveries(Subscription subscription) {
        String asked = session.getContext().getUri().getQueryParameters().getFirst("status");
        DeliveryStatus status = asked == null || asked.isBlank() ? null : DeliveryStatus.parse(asked).orElseThrow(() ->
                ApiFailure.badRequest("status must be one of " + String.join(", ",
                        Arrays.stream(DeliveryStatus.values()).map(Enum::name).sorted().toList())));
        int limit = intParameter("limit", DeliveryHistory.MAX_PAGE, 1, DeliveryHistory.MAX_PAGE);
        String cursor = session.getContext().getUri().getQueryParameters().getFirst("cursor");
        DeliveryHistory.Page page = subscriptions.deliveries().page(subscription.id(),
                new DeliveryHistory.Filter(status, DeliveryHistory.Filter.ALL.from(), DeliveryHistory.Filter.ALL.to()), cursor, limit);
        return ApiResponses.json(200, new DeliveryView.Listing(subscription.name(), subscription.status().name(),
                subscription.statusReason(), subscription.failureStreak(), page.deliveries(), page.nextCursor()), correlationId);
    }

    private int intParameter(String name, int absent, int min, int max) {
        String value = session.getContext().getUri().getQueryParameters().getFirst(name);
        if (value == null) {
            return absent;
        }
        if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) < min || Integer.parseInt(value) > max) {
            throw ApiFailure.badRequest(name + " must be a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(value);
    }

    private Response retry(Subscription subscription, String deliveryId) {
        lifecycle.requeue(subscription, deliveryId);
        return ApiResponses.message(202, "Delivery '" + deliveryId + "' queued for retry", correlationId);
    }

    // ---- secrets -------------------------------------------------------------------------------------

    record SecretView(String secret, String previousSecret, String previousSecretValidUntil) {
    }

    private Response secret(Subscription subscription) {
        return secrets(lifecycle.secrets(subscription));
    }

    private Response rotate(Subscription subscription) {
        return secrets(lifecycle.rotateSecret(subscription));
    }

    private Response secrets(Subscription.Secrets secrets) {
        return ApiResponses.json(200, new SecretView(secrets.secret(), secrets.previousSecret(),
                secrets.previousSecretUntil() == null ? null : Instant.ofEpochMilli(secrets.previousSecretUntil()).toString()), correlationId);
    }

    // ---- test events ---------------------------------------------------------------------------------

    record Published(String id, int subscriptions, String message) {
    }

    private Response publishTestEvent(Application app, String topicName, JsonNode body) {
        Topic topic = app.readableTopic(realm, topicName);
        if (topic.source() != Topic.Source.TEST) {
            throw ApiFailure.badRequest("topic '" + topicName + "' carries Keycloak's own events; test events go to public.test");
        }
        int perMinute = subscriptions.settings().testEventsPerMinute();
        long wait = testEvents.secondsToWait(app.id(), perMinute, System.currentTimeMillis());
        if (wait > 0) {
            throw new ApiFailure(429, "At most " + perMinute + " test events a minute; try again in " + wait + " s",
                    Map.of("Retry-After", Long.toString(wait)));
        }
        String eventType = "eventCreated";
        ObjectNode facts = StrictJson.MAPPER.createObjectNode();
        if (body != null) {
            if (!body.isObject()) {
                throw ApiFailure.badRequest("The body must be a JSON object");
            }
            JsonNode type = body.get("eventType");
            if (type != null) {
                if (!type.isTextual() || !type.asText().matches(EventPayload.TEST_EVENT_TYPE)) {
                    throw ApiFailure.badRequest("eventType must be 1-128 characters of letters, digits, '.', '_', ':' and '-'");
                }
                if (type.asText().equals(EventPayload.VERIFICATION)) {
                    // Receivers tell the verification event by its type: a test event must not pass for one.
                    throw ApiFailure.badRequest("eventType " + EventPayload.VERIFICATION + " is reserved for the verification event");
                }
                eventType = type.asText();
            }
            JsonNode given = body.get("facts");
            if (given != null) {
                if (!given.isObject()) {
                    throw ApiFailure.badRequest("facts must be a JSON object");
                }
                facts = (ObjectNode) given;
            }
        }
        EventPayload payload = new EventPayload(UUID.randomUUID().toString(), correlationId, eventType, topic.name(),
                realm.getName(), Instant.now(), EventFacts.ofTestEvent(facts, app.id()), Topic.Source.TEST, null, RealmUrl.configured(realm));
        int rows = subscriptions.capture().capture(realm, List.of(topic), payload, app.id());
        return ApiResponses.json(202, new Published(payload.id(), rows,
                "Event '" + payload.id() + "' published to " + rows + " subscription(s)"), correlationId);
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    private static byte[] read(InputStream in) {
        try {
            return BoundedBody.read(in, MAX_BODY_BYTES)
                    .orElseThrow(() -> new ApiFailure(413, "The body is larger than " + MAX_BODY_BYTES + " bytes"));
        } catch (IOException e) {
            throw ApiFailure.badRequest("The body could not be read");
        }
    }

    private static JsonNode readOptional(InputStream in) {
        byte[] bytes = read(in);
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            return StrictJson.MAPPER.readTree(bytes);
        } catch (Exception e) {
            throw ApiFailure.badRequest("The body must be one JSON object");
        }
    }
}
