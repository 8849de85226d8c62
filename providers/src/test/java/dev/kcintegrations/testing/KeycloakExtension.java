package dev.kcintegrations.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives integration tests a real Keycloak with this project installed: one server for the whole test run
 * (started by the first test class that needs it, stopped when the run ends), chosen by
 * {@code -Dkeycloak.backend=distribution|testcontainers}. Tests receive a {@link Keycloak} parameter.
 * When a test fails, the tail of the server log is printed beside it.
 */
public final class KeycloakExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakExtension.class);

    /** Closed by JUnit when the whole run ends. */
    private record Shared(KeycloakServer server) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            server.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    private static KeycloakServer shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, key -> new Shared(KeycloakServers.start()), Shared.class)
                .server();
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
        Shared shared = context.getRoot().getStore(NAMESPACE).get(Shared.class, Shared.class);
        if (shared != null) {
            System.err.printf("%n----- Keycloak server log (last 80 lines) after %s failed -----%n%s%n-----%n",
                    context.getDisplayName(), shared.server().logTail(80));
        }
    }
}
