package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.StrictJson;
import org.keycloak.common.util.Encode;
import org.keycloak.events.Event;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;

import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns Keycloak's events into the {@code facts} of a delivery. What leaves Keycloak is chosen, not
 * filtered: identifiers, the client, the address, a link to the admin API resource, and for updates the
 * <b>names</b> of what changed. Values of changed attributes, credentials, codes and tokens never do.
 * <p>
 * Each kind of event has one declared list of facts, and that list both builds the facts and describes them
 * (the JSON Schema the event catalog publishes), so what is delivered and what is documented cannot drift.
 */
public final class EventFacts {

    /** Event details that are safe to pass on as they are. Anything else is left out. */
    static final Set<String> PASSED_DETAILS = new TreeSet<>(Set.of(
            "username", "auth_method", "auth_type", "redirect_uri", "grant_type", "reason", "identity_provider",
            "remember_me", "response_type", "response_mode", "consent", "custom_required_action",
            "credential_type", "scope", "client_auth_method", "requested_issuer", "audience"));
    private static final String PREVIOUS = "previous_";
    private static final String UPDATED = "updated_";
    static final int MAX_VALUE = 1024;
    private static final String ERROR_SUFFIX = "_ERROR";

    /** What a user event's facts are read from. */
    private record UserEventSource(Event event, URI adminBase) {
    }

    /** What an admin event's facts are read from. */
    private record AdminEventSource(AdminEvent event, boolean withRepresentation, URI adminBase) {
    }

    private static final DeclaredFacts<UserEventSource> USER = new DeclaredFacts<UserEventSource>("The facts of a user event", false)
            .text("userId", "The user's id; absent when no user was identified (a failed login with an unknown name)",
                    s -> s.event().getUserId())
            .text("clientId", "The client the user acted through", s -> s.event().getClientId())
            .text("ipAddress", "The address the request came from", s -> s.event().getIpAddress())
            .text("error", "Keycloak's error code", s -> s.event().getError()).onlyFor(type -> type.endsWith(ERROR_SUFFIX))
            .fact("href", type -> JsonSchema.uri("The user in the admin REST API"),
                    s -> s.event().getUserId() != null && s.adminBase() != null
                            ? TextNode.valueOf(s.adminBase() + "/users/" + s.event().getUserId()) : null)
            .fact("details", type -> detailsSchema(), EventFacts::details)
            .fact("changedAttributes", type -> JsonSchema.names("The names of the attributes that changed, never their values"),
                    s -> names(changedOf(s.event())));

    private static final DeclaredFacts<AdminEventSource> ADMIN = new DeclaredFacts<AdminEventSource>("The facts of an admin event", false)
            .fact("resourceType", type -> JsonSchema.constant(resourceTypeOf(type), "The kind of resource changed"),
                    s -> text(s.event().getResourceTypeAsString())).required()
            .fact("operation", type -> JsonSchema.constant(operationOf(type), "What was done to it"),
                    s -> s.event().getOperationType() == null ? null : text(s.event().getOperationType().name())).required()
            .text("resourcePath", "The resource's path under the realm in the admin REST API", s -> s.event().getResourcePath())
            .text("error", "Keycloak's error code, when the operation failed", s -> s.event().getError())
            .text("actorUserId", "The administrator's user id", s -> actor(s, AuthDetails::getUserId))
            .text("actorClientId", "The client the administrator acted through (its id)", s -> actor(s, AuthDetails::getClientId))
            .text("ipAddress", "The address the request came from", s -> actor(s, AuthDetails::getIpAddress))
            .fact("href", type -> JsonSchema.uri("The resource in the admin REST API"),
                    s -> s.event().getResourcePath() != null && s.adminBase() != null
                            ? TextNode.valueOf(s.adminBase() + "/" + Encode.encodePath(s.event().getResourcePath())) : null)
            .fact("changedAttributes", type -> JsonSchema.names("The top-level fields of the update's representation, never their values"),
                    EventFacts::changedFields).onlyFor(type -> type.endsWith(".UPDATE"));

    /** The facts of a test event: the publisher's own, and the id of the application that published it. */
    private static final DeclaredFacts<String> TEST = new DeclaredFacts<String>("The facts the publishing application gave, and its id", true)
            .text("applicationId", "The id of the client that published the test event", applicationId -> applicationId).required();

    /** The facts of an operational event (topic keycloak.webhooks). */
    private static final DeclaredFacts<OperationalFacts> WEBHOOKS = new DeclaredFacts<OperationalFacts>(
            "What happened to a subscription, its deliveries or the realm's webhook credentials", false)
            .text("subscriptionId", "The subscription, by the id its application gave it", OperationalFacts::subscriptionId)
            .onlyFor(OperationalEvents::aboutASubscription)
            .text("clientId", "The application (client) the subscription belongs to", OperationalFacts::clientId)
            .onlyFor(OperationalEvents::aboutASubscription)
            .text("topic", "The subscription's topic", OperationalFacts::topic).onlyFor(OperationalEvents::aboutASubscription)
            .text("endpoint", "The subscription's endpoint", OperationalFacts::endpoint).onlyFor(OperationalEvents::aboutASubscription)
            .text("status", "The subscription's status now", OperationalFacts::status).onlyFor(type -> type.startsWith("subscription."))
            .text("cause", "Who disabled it: RECEIVER (410 Gone) or ADMINISTRATOR", OperationalFacts::cause)
            .onlyFor(type -> type.equals("subscription.disabled"))
            .text("reason", "Why, for people", OperationalFacts::reason)
            .fact("count", type -> JsonSchema.integer("How many deliveries were parked"),
                    facts -> facts.count() == null ? null : IntNode.valueOf(facts.count())).onlyFor(type -> type.equals("deliveries.parked"))
            .text("subject", "The certificate's subject", OperationalFacts::certificateSubject).onlyFor(type -> type.startsWith("clientCertificate."))
            .fact("activeFrom", type -> JsonSchema.dateTime("When the realm's POSTs start presenting it"),
                    facts -> facts.activeFrom() == null ? null : TextNode.valueOf(facts.activeFrom().toString()))
            .onlyFor(type -> type.startsWith("clientCertificate."))
            .text("kid", "The retired signing key's id (its JWK at events/v4/jwks)", OperationalFacts::kid)
            .onlyFor(type -> type.startsWith("signingKey."));

    private static final String VERIFICATION_MESSAGE = "Verification of a webhook endpoint; answer 2xx to accept the subscription";

    /** The facts of a subscription's verification event, read from the subscription's id. */
    private static final DeclaredFacts<String> VERIFICATION = new DeclaredFacts<String>(
            "Sent once when a subscription is saved; the endpoint accepts it by answering 2xx", false)
            .text("subscriptionId", "The subscription being verified", subscriptionId -> subscriptionId).required()
            .text("message", "What this event is, for people", subscriptionId -> VERIFICATION_MESSAGE).required();

    private EventFacts() {
    }

    public static ObjectNode ofUserEvent(Event event, URI adminBase) {
        return USER.build(new UserEventSource(event, adminBase));
    }

    public static ObjectNode ofAdminEvent(AdminEvent event, boolean withRepresentation, URI adminBase) {
        return ADMIN.build(new AdminEventSource(event, withRepresentation, adminBase));
    }

    /** @param given the facts the application published, kept as given (it chose them for its own receiver) */
    public static ObjectNode ofTestEvent(ObjectNode given, String applicationId) {
        ObjectNode facts = given.deepCopy();
        facts.setAll(TEST.build(applicationId));
        return facts;
    }

    public static ObjectNode ofOperational(OperationalFacts facts) {
        return WEBHOOKS.build(facts);
    }

    public static ObjectNode ofVerification(String subscriptionId) {
        return VERIFICATION.build(subscriptionId);
    }

    /**
     * The schema of the facts of {@code eventType} from {@code source}; a null source is the subscription's
     * verification event.
     */
    public static ObjectNode schema(Topic.Source source, String eventType) {
        if (source == null) {
            return VERIFICATION.schema(eventType);
        }
        return switch (source) {
            case USER -> USER.schema(eventType);
            case ADMIN -> ADMIN.schema(eventType);
            case TEST -> TEST.schema(eventType);
            case WEBHOOKS -> WEBHOOKS.schema(eventType);
        };
    }

    // ---- how the facts are read ------------------------------------------------------------------------

    private static ObjectNode detailsSchema() {
        Map<String, ObjectNode> properties = new LinkedHashMap<>();
        PASSED_DETAILS.forEach(name -> properties.put(name, JsonSchema.text(null, MAX_VALUE)));
        return JsonSchema.object("The event's details that are safe to pass on; others are left out", properties, List.of(), false);
    }

    private static JsonNode details(UserEventSource source) {
        ObjectNode details = StrictJson.MAPPER.createObjectNode();
        Map<String, String> given = source.event().getDetails() == null ? Map.of() : source.event().getDetails();
        given.forEach((key, value) -> {
            if (PASSED_DETAILS.contains(key) && text(value) != null) {
                details.set(key, text(value));
            }
        });
        return details.isEmpty() ? null : details;
    }

    /** The names behind {@code previous_x} / {@code updated_x} details: what changed, never to what. */
    private static Set<String> changedOf(Event event) {
        Set<String> changed = new TreeSet<>();
        Map<String, String> given = event.getDetails() == null ? Map.of() : event.getDetails();
        for (String key : given.keySet()) {
            if (key.startsWith(PREVIOUS)) {
                changed.add(key.substring(PREVIOUS.length()));
            } else if (key.startsWith(UPDATED)) {
                changed.add(key.substring(UPDATED.length()));
            }
        }
        return changed;
    }

    private static JsonNode changedFields(AdminEventSource source) {
        AdminEvent event = source.event();
        if (!source.withRepresentation() || event.getOperationType() == null
                || !"UPDATE".equals(event.getOperationType().name()) || event.getRepresentation() == null) {
            return null;
        }
        return names(fieldNames(event.getRepresentation()));
    }

    /** Top-level field names of an admin representation, never a value. Unparseable → none. */
    private static Set<String> fieldNames(String representation) {
        Set<String> names = new TreeSet<>();
        try {
            JsonNode node = StrictJson.MAPPER.readTree(representation);
            if (node != null && node.isObject()) {
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!name.equals("id")) {
                        names.add(name);
                    }
                }
            }
        } catch (Exception unparseable) {
            return Set.of();
        }
        return names;
    }

    private static JsonNode names(Set<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        ArrayNode array = StrictJson.MAPPER.createArrayNode();
        names.forEach(array::add);
        return array;
    }

    static TextNode text(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return TextNode.valueOf(value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value);
    }

    private static String actor(AdminEventSource source, Function<AuthDetails, String> read) {
        return source.event().getAuthDetails() == null ? null : read.apply(source.event().getAuthDetails());
    }

    private static String resourceTypeOf(String adminEventType) {
        return adminEventType.substring(0, Math.max(0, adminEventType.lastIndexOf('.')));
    }

    private static String operationOf(String adminEventType) {
        return adminEventType.substring(adminEventType.lastIndexOf('.') + 1);
    }
}
