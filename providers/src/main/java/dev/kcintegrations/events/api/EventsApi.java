package dev.kcintegrations.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.Correlation;
import dev.kcintegrations.events.EventCapture;
import dev.kcintegrations.events.EventPayload;
import dev.kcintegrations.events.Topic;
import dev.kcintegrations.events.WebhookEngine;
import dev.kcintegrations.events.WebhookTargetPolicy;
import dev.kcintegrations.events.WebhookTargets;
import dev.kcintegrations.events.delivery.ConcurSignature;
import dev.kcintegrations.events.delivery.WebhookSigningKey;
import dev.kcintegrations.events.delivery.DeliveryHeaders;
import dev.kcintegrations.events.delivery.SendResult;
import dev.kcintegrations.events.delivery.WebhookSecrets;
import dev.kcintegrations.events.store.AttemptEntity;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.Subscriptions;
import dev.kcintegrations.shared.BoundedBody;
import dev.kcintegrations.shared.StrictJson;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code /realms/{realm}/events/v4}: the Event Subscription Service API. Routing is done here rather than by
 * JAX-RS annotations so that every answer — unknown paths and wrong methods included — is JSON in the one
 * documented shape and carries the correlation id.
 */
@EventsFormBody
public final class EventsApi {

    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(EventsApi.class);
    private static final Set<String> STATUSES = Set.of(DeliveryEntity.PENDING, DeliveryEntity.DELIVERED,
            DeliveryEntity.REJECTED, DeliveryEntity.PARKED, DeliveryEntity.CANCELLED);
    private static final Set<String> RETRYABLE = Set.of(DeliveryEntity.DELIVERED, DeliveryEntity.REJECTED, DeliveryEntity.PARKED);
    private static final int MAX_LISTED = 100;
    /** A page's nextCursor: the last row's seq and id. */
    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("([0-9]{1,18})\\.([0-9a-f-]{36})");

    private final KeycloakSession session;
    private final RealmModel realm;
    private final WebhookEngine engine;
    private final String correlationId;
    private final TestEventLimiter testEvents;

    EventsApi(KeycloakSession session, TestEventLimiter testEvents) {
        this.session = session;
        this.testEvents = testEvents;
        this.realm = session.getContext().getRealm();
        this.engine = WebhookEngine.of(session);
        this.correlationId = Correlation.ofRequest(session);
    }

    /**
     * The public keys that verify {@code Concur-Signature}: public like the realm's {@code certs}, and the
     * only place they are published.
     */
    @GET
    @Path("v4/jwks")
    public Response jwks() {
        try {
            return Response.ok(WebhookSigningKey.jwks(session, realm), jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                    .header("Cache-Control", "max-age=300").build();
        } catch (RuntimeException unexpected) {
            LOG.errorf(unexpected, "events/v4 GET jwks failed unexpectedly, correlationId=%s", correlationId);
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
            case TOPIC_EVENTS -> publishTestEvent(app, s.get(2), readOptional(body));
            case SUBSCRIPTIONS -> ApiResponses.json(200, subscriptions().ofApplication(app.id()).stream().map(SubscriptionView::of).toList(), correlationId);
            case WEBHOOK -> save(app, SubscriptionRequest.parse(read(body)));
            case SUBSCRIPTION -> method.equals("GET")
                    ? ApiResponses.json(200, List.of(SubscriptionView.of(owned(app, s.get(2)))), correlationId)
                    : remove(owned(app, s.get(2)));
            case DELIVERIES -> deliveries(owned(app, s.get(2)));
            case RETRY -> retry(owned(app, s.get(2)), s.get(4));
            case SECRET -> secret(owned(app, s.get(2)));
            case ROTATE -> rotate(owned(app, s.get(2)));
        };
    }

    // ---- subscriptions -------------------------------------------------------------------------------

    private Response save(Application app, SubscriptionRequest request) {
        // Everything the verification needs — topic, endpoint policy, the checks, the signed event — is read in
        // a transaction of its own, and the endpoint is called with none open: a stranger's endpoint may take
        // attempt-timeout to answer, and a database connection held meanwhile (a realm cache miss is enough to
        // take one) would be one fewer for every sign-in of the server.
        Verification verification = KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(),
                job -> prepareVerification(job, app, request));
        SendResult result = engine.sender().send(verification.policy(), request.endpoint(), verification.body(), verification.headers());
        if (!result.successful()) {
            throw ApiFailure.badRequest("webHookConfig.endpoint did not accept the verification event: " + result.describe());
        }

        // The checks again, in the transaction that writes: the call above may have taken seconds.
        Topic topic = app.readableTopic(realm, request.topic());
        Subscriptions subscriptions = subscriptions();
        Optional<SubscriptionEntity> existing = subscriptions.byName(request.id());
        checkRoomFor(app, request, existing, subscriptions);
        boolean live = existing.isPresent() && !SubscriptionEntity.DELETED.equals(existing.get().getStatus());
        String secret = live ? existing.get().getSecret() : verification.secret();
        long now = System.currentTimeMillis();
        SubscriptionEntity entity = existing.orElseGet(SubscriptionEntity::new);
        if (existing.isEmpty()) {
            entity.setId(UUID.randomUUID().toString());
            entity.setRealmId(realm.getId());
            entity.setName(request.id());
            entity.setApplicationId(app.id());
            entity.setCreatedAt(now);
        }
        if (!live) {
            entity.setSecret(secret);
            entity.setPreviousSecret(null);
            entity.setPreviousSecretUntil(null);
        }
        entity.setTopic(topic.name());
        entity.setFilter(request.filter().source());
        entity.setEndpoint(request.endpoint());
        entity.setStatus(SubscriptionEntity.ACTIVE);
        entity.setStatusReason(null);
        entity.setFailureStreak(0);
        entity.setUpdatedAt(now);
        if (existing.isEmpty()) {
            subscriptions.add(entity);
        }
        try {
            subscriptions.flush();
        } catch (PersistenceException raced) {
            session.getTransactionManager().setRollbackOnly();
            throw ApiFailure.conflict("Subscription id '" + request.id() + "' is in use by another application");
        }
        wakeAfterCommit();
        return ApiResponses.message(200, "Subscription '" + request.id() + "' saved successfully", correlationId);
    }

    /**
     * The signed verification event an endpoint must answer with 2xx, the secret it was signed with, and the
     * realm's endpoint policy it is sent under.
     */
    private record Verification(String secret, byte[] body, Map<String, String> headers, WebhookTargetPolicy policy) {
    }

    /** The checks a save needs before its endpoint is called, and the verification event, in {@code job}'s transaction. */
    private Verification prepareVerification(KeycloakSession job, Application app, SubscriptionRequest request) {
        RealmModel jobRealm = job.realms().getRealm(realm.getId());
        Topic topic = app.readableTopic(jobRealm, request.topic());
        WebhookTargetPolicy policy = WebhookTargets.policy(jobRealm, engine.settings());
        try {
            policy.check(request.endpoint());
        } catch (WebhookTargetPolicy.RefusedTargetException refused) {
            throw ApiFailure.badRequest("webHookConfig.endpoint refused: " + refused.getMessage());
        }
        Subscriptions subscriptions = new Subscriptions(job, jobRealm.getId());
        Optional<SubscriptionEntity> existing = subscriptions.byName(request.id());
        checkRoomFor(app, request, existing, subscriptions);
        boolean live = existing.isPresent() && !SubscriptionEntity.DELETED.equals(existing.get().getStatus());
        String secret = live ? existing.get().getSecret() : WebhookSecrets.generate();
        ObjectNode facts = StrictJson.MAPPER.createObjectNode();
        facts.put("subscriptionId", request.id());
        facts.put("message", "Verification of a webhook endpoint; answer 2xx to accept the subscription");
        EventPayload payload = new EventPayload(UUID.randomUUID().toString(), correlationId, "subscription.verification",
                topic.name(), realm.getName(), Instant.now(), facts);
        byte[] body = payload.toJson().getBytes(StandardCharsets.UTF_8);
        return new Verification(secret, body, DeliveryHeaders.of(List.of(secret), payload.id(), correlationId, body,
                ConcurSignature.sign(job, jobRealm, body)), policy);
    }

    /** The id is the application's or free, and a new subscription stays within max-subscriptions. */
    private void checkRoomFor(Application app, SubscriptionRequest request, Optional<SubscriptionEntity> existing, Subscriptions subscriptions) {
        if (existing.isPresent() && !existing.get().getApplicationId().equals(app.id())) {
            throw ApiFailure.conflict("Subscription id '" + request.id() + "' is in use by another application");
        }
        boolean live = existing.isPresent() && !SubscriptionEntity.DELETED.equals(existing.get().getStatus());
        int max = engine.settings().maxSubscriptionsPerApplication();
        if (!live && subscriptions.countOfApplication(app.id()) >= max) {
            throw ApiFailure.conflict("An application may hold at most " + max + " subscriptions; delete one first");
        }
    }

    private Response remove(SubscriptionEntity subscription) {
        long now = System.currentTimeMillis();
        subscription.setStatus(SubscriptionEntity.DELETED);
        subscription.setStatusReason("Deleted by its application");
        subscription.setUpdatedAt(now);
        new Outbox(session).cancelPending(subscription.getId(), "subscription deleted", now);
        return ApiResponses.message(200, "Subscription '" + subscription.getName() + "' marked for deletion", correlationId);
    }

    private SubscriptionEntity owned(Application app, String name) {
        return subscriptions().byName(name)
                .filter(s -> s.getApplicationId().equals(app.id()) && !SubscriptionEntity.DELETED.equals(s.getStatus()))
                .orElseThrow(() -> ApiFailure.notFound("Subscription '" + name + "' not found"));
    }

    private Subscriptions subscriptions() {
        return new Subscriptions(session, realm.getId());
    }

    // ---- deliveries ----------------------------------------------------------------------------------

    private Response deliveries(SubscriptionEntity subscription) {
        String status = session.getContext().getUri().getQueryParameters().getFirst("status");
        if (status != null && !status.isBlank()) {
            status = status.strip().toUpperCase(Locale.ROOT);
            if (!STATUSES.contains(status)) {
                throw ApiFailure.badRequest("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
            }
        } else {
            status = null;
        }
        int limit = intParameter("limit", MAX_LISTED, 1, MAX_LISTED);
        String cursor = session.getContext().getUri().getQueryParameters().getFirst("cursor");
        long beforeSeq = Long.MAX_VALUE;
        String beforeId = "";
        if (cursor != null) {
            java.util.regex.Matcher parts = CURSOR.matcher(cursor);
            if (!parts.matches()) {
                throw ApiFailure.badRequest("cursor must be the nextCursor of a previous page");
            }
            beforeSeq = Long.parseLong(parts.group(1));
            beforeId = parts.group(2);
        }
        Outbox outbox = new Outbox(session);
        List<DeliveryEntity> page = outbox.deliveries(subscription.getId(), status, beforeSeq, beforeId, limit + 1);
        List<DeliveryEntity> rows = page.subList(0, Math.min(limit, page.size()));
        DeliveryEntity last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        String nextCursor = page.size() > limit ? last.getSeq() + "." + last.getId() : null;
        Map<String, List<AttemptEntity>> attempts = outbox.attempts(rows.stream().map(DeliveryEntity::getId).toList())
                .stream().collect(Collectors.groupingBy(AttemptEntity::getDeliveryId, LinkedHashMap::new, Collectors.toList()));
        List<DeliveryView> views = new ArrayList<>();
        for (DeliveryEntity row : rows) {
            views.add(DeliveryView.of(row, attempts.getOrDefault(row.getId(), List.of())));
        }
        return ApiResponses.json(200, new DeliveryView.Listing(subscription.getName(), subscription.getStatus(),
                subscription.getStatusReason(), subscription.getFailureStreak(), views, nextCursor), correlationId);
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

    private Response retry(SubscriptionEntity subscription, String deliveryId) {
        Outbox outbox = new Outbox(session);
        DeliveryEntity row = Optional.ofNullable(outbox.findLocked(deliveryId)) // two retries at once: one waits, then sees PENDING
                .filter(d -> d.getSubscriptionId().equals(subscription.getId()))
                .orElseThrow(() -> ApiFailure.notFound("Delivery '" + deliveryId + "' not found"));
        if (!RETRYABLE.contains(row.getStatus())) {
            throw ApiFailure.conflict("Delivery '" + deliveryId + "' is " + row.getStatus() + "; only delivered, rejected or parked deliveries can be queued again");
        }
        int maxRequeues = engine.settings().maxRequeues();
        if (row.getRequeues() >= maxRequeues) {
            throw ApiFailure.conflict("Delivery '" + deliveryId + "' was queued again " + row.getRequeues()
                    + " time(s) already, the most allowed");
        }
        long now = System.currentTimeMillis();
        row.setRequeues(row.getRequeues() + 1);
        row.setStatus(DeliveryEntity.PENDING);
        row.setNextAttemptAt(now);
        row.setCreatedAt(now); // its retention starts again
        row.setFinishedAt(null);
        wakeAfterCommit();
        return ApiResponses.message(202, "Delivery '" + deliveryId + "' queued for retry", correlationId);
    }

    // ---- secrets -------------------------------------------------------------------------------------

    record SecretView(String secret, String previousSecret, String previousSecretValidUntil) {
    }

    private Response secret(SubscriptionEntity subscription) {
        boolean previousValid = subscription.getPreviousSecretUntil() != null && subscription.getPreviousSecretUntil() > System.currentTimeMillis();
        return ApiResponses.json(200, new SecretView(subscription.getSecret(),
                previousValid ? subscription.getPreviousSecret() : null,
                previousValid ? Instant.ofEpochMilli(subscription.getPreviousSecretUntil()).toString() : null), correlationId);
    }

    private Response rotate(SubscriptionEntity subscription) {
        long until = System.currentTimeMillis() + java.time.Duration.ofHours(24).toMillis();
        subscription.setPreviousSecret(subscription.getSecret());
        subscription.setPreviousSecretUntil(until);
        subscription.setSecret(WebhookSecrets.generate());
        subscription.setUpdatedAt(System.currentTimeMillis());
        return ApiResponses.json(200, new SecretView(subscription.getSecret(), subscription.getPreviousSecret(),
                Instant.ofEpochMilli(until).toString()), correlationId);
    }

    // ---- test events ---------------------------------------------------------------------------------

    record Published(String id, int subscriptions, String message) {
    }

    private Response publishTestEvent(Application app, String topicName, JsonNode body) {
        Topic topic = app.readableTopic(realm, topicName);
        if (topic.source() != Topic.Source.TEST) {
            throw ApiFailure.badRequest("topic '" + topicName + "' carries Keycloak's own events; test events go to public.test");
        }
        int perMinute = engine.settings().testEventsPerMinute();
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
                if (!type.isTextual() || !type.asText().matches("[A-Za-z0-9._:-]{1,128}")) {
                    throw ApiFailure.badRequest("eventType must be 1-128 characters of letters, digits, '.', '_', ':' and '-'");
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
        facts.put("applicationId", app.id());
        EventPayload payload = new EventPayload(UUID.randomUUID().toString(), correlationId, eventType, topic.name(),
                realm.getName(), Instant.now(), facts);
        int rows = new EventCapture(session, engine).capture(realm, List.of(topic), payload, app.id());
        return ApiResponses.json(202, new Published(payload.id(), rows,
                "Event '" + payload.id() + "' published to " + rows + " subscription(s)"), correlationId);
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    private void wakeAfterCommit() {
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                engine.wakeDispatcher();
            }

            @Override
            protected void rollbackImpl() {
            }
        });
    }

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
