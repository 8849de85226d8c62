package dev.kcintegrations.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;

/**
 * Gives integration tests a real Keycloak with this project installed: one server for the whole test run per lane
 * (the shared lane's, and the browser lane's for {@link BrowserTest} classes; each started by the first test class
 * that needs it, stopped when the run ends: {@link KeycloakServers#ofLane}), chosen by
 * {@code -Dkeycloak.backend=distribution|testcontainers}. Tests receive a {@link Keycloak} parameter.
 * When a test fails, the tail of the server log is printed beside it. The clients and users a test class
 * created in the demo realm are deleted after it, and attributes it changed on the demo's own clients are put back and
 * fail the class, so the next class starts from the realm it expects.
 */
public final class KeycloakExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {

    static final String DEMO_REALM = "integrations";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakExtension.class);

    /**
     * Attached to one running server, the lanes' classes would clean each other's clients and users: there they take
     * turns, a class at a time.
     */
    private static final Semaphore ONE_CLASS_ON_A_RUNNING_SERVER = new Semaphore(1);

    /** What the demo realm held before the class ran: its clients' and users' ids, and its clients' attributes. */
    private record Before(Set<String> clients, Set<String> users, Map<String, JsonNode> attributes) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (RUNNING) {
            ONE_CLASS_ON_A_RUNNING_SERVER.acquireUninterruptibly();
        }
        AdminApi admin = new Keycloak(shared(context)).admin();
        Map<String, JsonNode> attributes = clientAttributes(admin);
        context.getStore(NAMESPACE).put(Before.class, new Before(attributes.keySet(), ids(admin, "/users"), attributes));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            Before before = context.getStore(NAMESPACE).get(Before.class, Before.class);
            if (before == null) {
                return;
            }
            AdminApi admin = new Keycloak(shared(context)).admin();
            Map<String, JsonNode> after = clientAttributes(admin);
            after.keySet().stream().filter(id -> !before.clients().contains(id))
                    .forEach(id -> admin.delete("/" + DEMO_REALM + "/clients/" + id));
            ids(admin, "/users").stream().filter(id -> !before.users().contains(id))
                    .forEach(id -> admin.delete("/" + DEMO_REALM + "/users/" + id));
            List<String> changed = restoreAttributes(admin, before.attributes(), after);
            if (!changed.isEmpty()) {
                // Restored for the classes after it; failed here, where the change was made, not in a later class
                // that would meet it as a mystery (a 1-second token lifespan once reached the fuzz properties so).
                throw new AssertionError(context.getDisplayName() + " left attributes of demo clients changed (now restored): " + changed);
            }
        } finally {
            if (RUNNING) {
                ONE_CLASS_ON_A_RUNNING_SERVER.release();
            }
        }
    }

    private static Map<String, JsonNode> clientAttributes(AdminApi admin) {
        Map<String, JsonNode> attributes = new HashMap<>();
        for (JsonNode client : admin.get("/" + DEMO_REALM + "/clients?first=0&max=100000")) {
            attributes.put(client.get("id").asText(), client.path("attributes").deepCopy());
        }
        return attributes;
    }

    /** Puts back the attributes of the clients that were there before; names what had changed ({@code clientId: keys}). */
    private static List<String> restoreAttributes(AdminApi admin, Map<String, JsonNode> before, Map<String, JsonNode> after) {
        List<String> changed = new ArrayList<>();
        before.forEach((id, was) -> {
            JsonNode now = after.get(id);
            if (now == null || now.equals(was)) {
                return;
            }
            Set<String> keys = new TreeSet<>();
            was.fieldNames().forEachRemaining(keys::add);
            now.fieldNames().forEachRemaining(keys::add);
            keys.removeIf(key -> was.path(key).equals(now.path(key)));
            ObjectNode client = (ObjectNode) admin.get("/" + DEMO_REALM + "/clients/" + id);
            ObjectNode attributes = client.putObject("attributes");
            // Keycloak keeps an attribute an update leaves out; an empty one is what removes it
            keys.forEach(key -> attributes.put(key, was.path(key).asText("")));
            admin.put("/" + DEMO_REALM + "/clients/" + id, client);
            changed.add(client.path("clientId").asText() + ": " + keys);
        });
        return changed;
    }

    private static Set<String> ids(AdminApi admin, String collection) {
        Set<String> ids = new HashSet<>();
        for (JsonNode item : admin.get("/" + DEMO_REALM + collection + "?briefRepresentation=true&first=0&max=100000")) {
            ids.add(item.get("id").asText());
        }
        return ids;
    }

    private static final boolean RUNNING = "running".equals(System.getProperty("keycloak.backend"));

    /** The shared server of the class's lane. */
    private static KeycloakServer shared(ExtensionContext context) {
        return KeycloakServers.ofLane(lane(context));
    }

    private static String lane(ExtensionContext context) {
        return context.getRequiredTestClass().isAnnotationPresent(BrowserTest.class) ? TestTags.BROWSER : KeycloakServers.SHARED_LANE;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Keycloak.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return new Keycloak(shared(context));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        KeycloakServers.startedOfLane(lane(context)).ifPresent(server -> System.err.printf(
                "%n----- Keycloak server log (last 80 lines) after %s failed -----%n%s%n-----%n", context.getDisplayName(), server.logTail(80)));
    }
}
