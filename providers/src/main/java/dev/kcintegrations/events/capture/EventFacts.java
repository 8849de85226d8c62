package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.shared.StrictJson;
import org.keycloak.events.Event;
import org.keycloak.events.admin.AdminEvent;

import java.net.URI;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns Keycloak's events into the {@code facts} of a delivery. What leaves Keycloak is chosen, not
 * filtered: identifiers, the client, the address, a link to the admin API resource, and for updates the
 * <b>names</b> of what changed. Values of changed attributes, credentials, codes and tokens never do.
 */
public final class EventFacts {

    /** Event details that are safe to pass on as they are. Anything else is left out. */
    private static final Set<String> PASSED_DETAILS = Set.of(
            "username", "auth_method", "auth_type", "redirect_uri", "grant_type", "reason", "identity_provider",
            "remember_me", "response_type", "response_mode", "consent", "custom_required_action",
            "credential_type", "scope", "client_auth_method", "requested_issuer", "audience");
    private static final String PREVIOUS = "previous_";
    private static final String UPDATED = "updated_";
    private static final int MAX_VALUE = 1024;

    private EventFacts() {
    }

    public static ObjectNode ofUserEvent(Event event, URI adminBase) {
        ObjectNode facts = StrictJson.MAPPER.createObjectNode();
        putIfPresent(facts, "userId", event.getUserId());
        putIfPresent(facts, "clientId", event.getClientId());
        putIfPresent(facts, "ipAddress", event.getIpAddress());
        putIfPresent(facts, "error", event.getError());
        if (event.getUserId() != null && adminBase != null) {
            facts.put("href", adminBase + "/users/" + event.getUserId());
        }
        Set<String> changed = new TreeSet<>();
        ObjectNode details = StrictJson.MAPPER.createObjectNode();
        Map<String, String> source = event.getDetails() == null ? Map.of() : event.getDetails();
        source.forEach((key, value) -> {
            if (key.startsWith(PREVIOUS)) {
                changed.add(key.substring(PREVIOUS.length()));
            } else if (key.startsWith(UPDATED)) {
                changed.add(key.substring(UPDATED.length()));
            } else if (PASSED_DETAILS.contains(key)) {
                putIfPresent(details, key, value);
            }
        });
        if (!details.isEmpty()) {
            facts.set("details", details);
        }
        if (!changed.isEmpty()) {
            ArrayNode names = facts.putArray("changedAttributes");
            changed.forEach(names::add);
        }
        return facts;
    }

    public static ObjectNode ofAdminEvent(AdminEvent event, boolean withRepresentation, URI adminBase) {
        ObjectNode facts = StrictJson.MAPPER.createObjectNode();
        putIfPresent(facts, "resourceType", event.getResourceTypeAsString());
        putIfPresent(facts, "operation", event.getOperationType() == null ? null : event.getOperationType().name());
        putIfPresent(facts, "resourcePath", event.getResourcePath());
        putIfPresent(facts, "error", event.getError());
        if (event.getAuthDetails() != null) {
            putIfPresent(facts, "actorUserId", event.getAuthDetails().getUserId());
            putIfPresent(facts, "actorClientId", event.getAuthDetails().getClientId());
            putIfPresent(facts, "ipAddress", event.getAuthDetails().getIpAddress());
        }
        if (event.getResourcePath() != null && adminBase != null) {
            facts.put("href", adminBase + "/" + event.getResourcePath());
        }
        if (withRepresentation && event.getOperationType() != null
                && "UPDATE".equals(event.getOperationType().name()) && event.getRepresentation() != null) {
            Set<String> names = fieldNames(event.getRepresentation());
            if (!names.isEmpty()) {
                ArrayNode array = facts.putArray("changedAttributes");
                names.forEach(array::add);
            }
        }
        return facts;
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

    private static void putIfPresent(ObjectNode node, String key, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(key, value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value);
        }
    }
}
