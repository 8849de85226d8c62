package dev.kcintegrations.testproviders;

import org.keycloak.Config;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Test-only fault injection, installed in test servers only: an admin change whose representation carries
 * the username prefix {@value #PREFIX} fails after its admin event was sent — its transaction is rolled
 * back, as when the database refuses the commit. Proves that capture shares the change's transaction.
 */
public final class FailingChangeListener implements EventListenerProviderFactory {

    public static final String PREFIX = "rollback-me-";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new EventListenerProvider() {
            @Override
            public void onEvent(Event event) {
            }

            @Override
            public void onEvent(AdminEvent event, boolean includeRepresentation) {
                String representation = event.getRepresentation();
                if (representation != null && representation.contains("\"username\":\"" + PREFIX)) {
                    session.getTransactionManager().setRollbackOnly();
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return "test-failing-change";
    }
}
