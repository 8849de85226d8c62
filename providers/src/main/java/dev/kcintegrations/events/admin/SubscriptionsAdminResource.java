package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.events.EventSubscriptionsProvider;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lifecycle.DeliveryHistory;
import dev.kcintegrations.events.lifecycle.Subscription;
import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.DeliveryQueries;
import dev.kcintegrations.events.store.SubscriptionStatus;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /admin/realms/{realm}/event-subscriptions}: every webhook subscription of the realm, of every
 * application, for its administrators. Reading needs realm-management {@code view-events}, changing
 * {@code manage-events} (as Keycloak's own event endpoints); every change goes through the subscription
 * lifecycle (the rules {@code events/v4} follows too) and is an admin event of type {@value #RESOURCE_TYPE}.
 *
 * <p>Over 300 lines: one JAX-RS resource per API, as Keycloak routes an admin extension; each method only reads
 * its parameters, asks SubscriptionLifecycle or the outbox's queries, and shapes the answer (views in this
 * package).
 */
public final class SubscriptionsAdminResource {

    public static final String RESOURCE_TYPE = "EVENT_SUBSCRIPTION";
    static final int MAX_PAGE = 100;
    private static final int DEFAULT_PAGE = 20;
    static final int MAX_ACTIVITY_HOURS = 72;
    static final int ACTIVITY_BUCKETS = 36;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    private final EventSubscriptionsProvider subscriptions;
    private final SubscriptionLifecycle lifecycle;
    private final WebhookSettings settings;

    SubscriptionsAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent.resource(RESOURCE_TYPE);
        this.subscriptions = session.getProvider(EventSubscriptionsProvider.class);
        this.settings = subscriptions.settings();
        this.lifecycle = subscriptions.lifecycle(realm);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<SubscriptionAdminView> list() {
        auth.realm().requireViewEvents();
        String clientId = query("clientId");
        String applicationId = null;
        if (clientId != null) {
            ClientModel client = realm.getClientByClientId(clientId);
            if (client == null) {
                return List.of();
            }
            applicationId = client.getId();
        }
        SubscriptionStatus status = Optional.ofNullable(query("status")).map(SubscriptionsAdminResource::subscriptionStatus).orElse(null);
        List<Subscription> page = lifecycle.page(applicationId, status, number("first", 0, 0, Integer.MAX_VALUE), number("max", DEFAULT_PAGE, 1, MAX_PAGE));
        Map<String, DeliveryQueries.Backlog> backlogs = subscriptions.deliveries().backlogs(page.stream().map(Subscription::id).toList());
        long now = System.currentTimeMillis();
        return page.stream().map(s -> view(s, backlogs.get(s.id()), now)).toList();
    }

    /** The realm's client certificates for webhook POSTs (a resource of its own: it is the realm's, not a subscription's). */
    @Path("client-certificates")
    public ClientCertificatesAdminResource clientCertificates() {
        return new ClientCertificatesAdminResource(session, realm, auth, adminEvent, settings, subscriptions.operational());
    }

    /**
     * What the caller may do here, for pages that hide what they would be refused: {@code view-events} reads
     * ({@code 403} without it), {@code manage-events} changes. The server checks every call regardless.
     */
    @GET
    @Path("access")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Boolean> access() {
        auth.realm().requireViewEvents();
        return Map.of("view", true, "manage", auth.realm().canManageEvents());
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public SubscriptionAdminView get(@PathParam("id") String id) {
        auth.realm().requireViewEvents();
        Subscription subscription = subscription(id);
        return view(subscription, subscriptions.deliveries().backlogs(List.of(subscription.id())).get(subscription.id()),
                System.currentTimeMillis());
    }

    /** {@code {"status":"DISABLED"|"ACTIVE","reason":…}} */
    @PUT
    @Path("{id}/status")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public SubscriptionAdminView setStatus(@PathParam("id") String id, String body) {
        auth.realm().requireManageEvents();
        JsonNode change = json(body);
        String status = text(change, "status");
        if (status == null) {
            throw bad("status is required: ACTIVE or DISABLED");
        }
        SubscriptionStatus next = SubscriptionStatus.parse(status)
                .filter(s -> s == SubscriptionStatus.ACTIVE || s == SubscriptionStatus.DISABLED)
                .orElseThrow(() -> bad("status must be ACTIVE or DISABLED"));
        Subscription subscription = subscription(id);
        refusals(() -> lifecycle.setStatus(subscription, next, text(change, "reason")));
        SubscriptionAdminView view = get(id);
        adminEvent.operation(OperationType.UPDATE).resourcePath(session.getContext().getUri()).representation(view).success();
        return view;
    }

    /** Deleted as the application's own delete does it: its pending deliveries are cancelled, never sent. */
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        auth.realm().requireManageEvents();
        Subscription subscription = subscription(id);
        SubscriptionAdminView view = get(id);
        refusals(() -> lifecycle.cancel(subscription, "deleted by an administrator"));
        adminEvent.operation(OperationType.DELETE).resourcePath(session.getContext().getUri()).representation(view).success();
        return Response.noContent().build();
    }

    /**
     * {@code ?status=&from=&to=&max=&cursor=}: {@code {"deliveries":[…],"nextCursor":…}}, newest first, each with its
     * attempts, paged as {@code events/v4} pages them (DeliveryHistory); from/to bound the capture time.
     */
    @GET
    @Path("{id}/deliveries")
    @Produces(MediaType.APPLICATION_JSON)
    public DeliveryHistory.Page deliveries(@PathParam("id") String id) {
        auth.realm().requireViewEvents();
        Subscription subscription = subscription(id);
        if (query("first") != null) {
            // an offset shifts while rows are captured: refused rather than ignored
            throw bad("first is not supported: pass the nextCursor of the previous page as cursor");
        }
        DeliveryStatus status = Optional.ofNullable(query("status")).map(SubscriptionsAdminResource::deliveryStatus).orElse(null);
        DeliveryHistory.Filter filter = new DeliveryHistory.Filter(status, instant("from", DeliveryHistory.Filter.ALL.from()),
                instant("to", DeliveryHistory.Filter.ALL.to()));
        if (filter.from().isAfter(filter.to())) {
            throw bad("from must not be after to"); // an empty page would pass for "no deliveries"
        }
        int max = number("max", DEFAULT_PAGE, 1, DeliveryHistory.MAX_PAGE);
        return refusing(() -> subscriptions.deliveries().page(subscription.id(), filter, query("cursor"), max));
    }

    /**
     * {@code ?hours=} (1 to {@value #MAX_ACTIVITY_HOURS}, default 6): the subscription's rows captured in the last
     * hours, in {@value #ACTIVITY_BUCKETS} buckets, each with how many were delivered, failed (rejected, parked,
     * cancelled) and still wait, and the mean time from being queued to delivered.
     */
    /**
     * The order keys held now: for each, the event that waits for its retry (and holds the key's later events
     * behind it), the soonest due first, at most {@value #MAX_PAGE}.
     */
    @GET
    @Path("{id}/held-keys")
    @Produces(MediaType.APPLICATION_JSON)
    public List<DeliveryHistory.HeldKey> heldKeys(@PathParam("id") String id) {
        auth.realm().requireViewEvents();
        Subscription subscription = subscription(id);
        return subscriptions.deliveries().heldKeys(subscription.id(), System.currentTimeMillis(), MAX_PAGE);
    }

    @GET
    @Path("{id}/activity")
    @Produces(MediaType.APPLICATION_JSON)
    public ActivityView activity(@PathParam("id") String id) {
        auth.realm().requireViewEvents();
        Subscription subscription = subscription(id);
        int hours = number("hours", 6, 1, MAX_ACTIVITY_HOURS);
        long bucketMillis = hours * 3_600_000L / ACTIVITY_BUCKETS;
        long to = (System.currentTimeMillis() / bucketMillis + 1) * bucketMillis;
        long from = to - ACTIVITY_BUCKETS * bucketMillis;
        return ActivityView.of(from, bucketMillis, ACTIVITY_BUCKETS, subscriptions.deliveries().activity(subscription.id(), from, to, bucketMillis));
    }

    @POST
    @Path("{id}/deliveries/{deliveryId}/redeliver")
    @Produces(MediaType.APPLICATION_JSON)
    public Response redeliver(@PathParam("id") String id, @PathParam("deliveryId") String deliveryId) {
        auth.realm().requireManageEvents();
        Subscription subscription = subscription(id);
        refusals(() -> lifecycle.redeliver(subscription, deliveryId));
        Map<String, Object> outcome = Map.of("queued", 1);
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri()).representation(outcome).success();
        return Response.accepted(outcome).build();
    }

    /** {@code {"status":"PARKED"}}: every parked delivery; {@code {"from":…,"to":…}}: every finished one captured then (replay). */
    @POST
    @Path("{id}/redeliver")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response redeliverMany(@PathParam("id") String id, String body) {
        auth.realm().requireManageEvents();
        JsonNode request = json(body);
        String status = text(request, "status");
        String from = text(request, "from");
        String to = text(request, "to");
        if ((status == null) == (from == null && to == null)) {
            throw bad("Give either status (PARKED) or a window (from and to, RFC 3339)");
        }
        if (status != null && deliveryStatus(status) != DeliveryStatus.PARKED) {
            throw bad("status must be PARKED (a window replays deliveries of any finished status)");
        }
        if (status == null && (from == null || to == null)) {
            throw bad("A window needs both from and to (RFC 3339)");
        }
        Subscription subscription = subscription(id);
        int[] queued = new int[1];
        refusals(() -> queued[0] = status != null
                ? lifecycle.replay(subscription, DeliveryStatus.PARKED, Instant.EPOCH, Instant.now().plusSeconds(3600))
                : lifecycle.replay(subscription, null, parseInstant("from", from), parseInstant("to", to)));
        Map<String, Object> outcome = Map.of("queued", queued[0]);
        adminEvent.operation(OperationType.ACTION).resourcePath(session.getContext().getUri()).representation(request).success();
        return Response.accepted(outcome).build();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private SubscriptionAdminView view(Subscription subscription, DeliveryQueries.Backlog backlog, long now) {
        return SubscriptionAdminView.of(subscription, realm.getClientById(subscription.applicationId()), backlog, now, settings);
    }

    private Subscription subscription(String id) {
        try {
            return lifecycle.live(id);
        } catch (SubscriptionLifecycle.Refused refused) {
            throw failure(refused);
        }
    }

    private static <T> T refusing(Supplier<T> read) {
        try {
            return read.get();
        } catch (SubscriptionLifecycle.Refused refused) {
            throw failure(refused);
        }
    }

    private void refusals(Runnable change) {
        try {
            change.run();
        } catch (SubscriptionLifecycle.Refused refused) {
            throw failure(refused);
        }
    }

    /** The lifecycle's refusal, as Keycloak's admin API answers: {@code {"errorMessage":…}} with the status. */
    private static RuntimeException failure(SubscriptionLifecycle.Refused refused) {
        return ErrorResponse.error(refused.getMessage(), switch (refused.kind()) {
            case INVALID -> Response.Status.BAD_REQUEST;
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case CONFLICT -> Response.Status.CONFLICT;
            case TOO_MANY -> Response.Status.TOO_MANY_REQUESTS;
        });
    }

    private static RuntimeException bad(String message) {
        return ErrorResponse.error(message, Response.Status.BAD_REQUEST);
    }

    private static JsonNode json(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : StrictJson.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw bad("The body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw bad("The body is not valid JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw bad(field + " must be a string");
        }
        return value.asText();
    }

    private static SubscriptionStatus subscriptionStatus(String text) {
        return SubscriptionStatus.parse(text).filter(s -> s != SubscriptionStatus.DELETED)
                .orElseThrow(() -> bad("status must be one of ACTIVE, SUSPENDED, DISABLED"));
    }

    private static DeliveryStatus deliveryStatus(String text) {
        return DeliveryStatus.parse(text).orElseThrow(() -> bad("status must be one of " + Arrays.toString(DeliveryStatus.values())));
    }

    private String query(String name) {
        String value = session.getContext().getUri().getQueryParameters().getFirst(name);
        return value == null || value.isBlank() ? null : value;
    }

    private int number(String name, int absent, int min, int max) {
        String value = query(name);
        if (value == null) {
            return absent;
        }
        if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) < min || Long.parseLong(value) > max) {
            throw bad(name + " must be a whole number from " + min + " to " + max);
        }
        return Integer.parseInt(value);
    }

    private Instant instant(String name, Instant absent) {
        String value = query(name);
        return value == null ? absent : parseInstant(name, value);
    }

    /** The times a delivery can have: the outbox counts milliseconds since the epoch, and year 10000 is past RFC 3339. */
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private static Instant parseInstant(String name, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw bad(name + " must be an RFC 3339 time in UTC, e.g. 2026-11-30T12:00:00Z");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw bad(name + " must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        }
        return instant;
    }
}
