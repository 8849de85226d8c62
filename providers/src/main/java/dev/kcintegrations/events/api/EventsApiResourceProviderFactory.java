package dev.kcintegrations.events.api;

import dev.kcintegrations.events.lifecycle.PerMinuteLimiter;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Mounts {@link EventsApi} at {@code /realms/{realm}/events}; its options belong to the webhook engine. */
public final class EventsApiResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = "events";
    private final PerMinuteLimiter testEvents = new PerMinuteLimiter();

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new EventsApi(session, testEvents);
            }

            @Override
            public void close() {
            }
        };
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
        return PROVIDER_ID;
    }
}
