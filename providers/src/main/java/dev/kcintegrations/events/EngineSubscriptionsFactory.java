package dev.kcintegrations.events;

import dev.kcintegrations.events.capture.EventCapture;
import dev.kcintegrations.events.capture.OperationalEvents;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lifecycle.DeliveryHistory;
import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;

/**
 * The one implementation: the engine's parts (settings, verifications, the lanes to wake) wired once, here, into
 * what a request needs. The engine is the global event listener of this node ({@link WebhookEngine}); its options
 * stay its own ({@code --spi-events-listener--webhook-events--…}), so this provider has none.
 */
public final class EngineSubscriptionsFactory implements EventSubscriptionsProviderFactory {

    public static final String PROVIDER_ID = "webhook-engine";
    private volatile WebhookEngine engine;

    @Override
    public EventSubscriptionsProvider create(KeycloakSession session) {
        WebhookEngine wired = engine(session.getKeycloakSessionFactory());
        return new EngineSubscriptions(session, wired);
    }

    private WebhookEngine engine(KeycloakSessionFactory factory) {
        WebhookEngine known = engine;
        if (known == null) {
            // Factories are initialised in no set order: the engine is looked up on first use, not in postInit.
            known = (WebhookEngine) factory.getProviderFactory(EventListenerProvider.class, WebhookEngine.PROVIDER_ID);
            engine = known;
        }
        return known;
    }

    @Override
    public void init(Config.Scope config) {
        // no options: the engine's are on the events-listener SPI
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // the engine is looked up on first use
    }

    @Override
    public void close() {
        // the engine closes itself
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    /** One request's view of the engine. */
    private record EngineSubscriptions(KeycloakSession session, WebhookEngine engine) implements EventSubscriptionsProvider {

        @Override
        public SubscriptionLifecycle lifecycle(RealmModel realm) {
            return new SubscriptionLifecycle(session, realm, engine.settings(), engine.verifications(), engine.bearerTokens(),
                    engine.operationalEvents(), engine::wakeDispatcher);
        }

        @Override
        public DeliveryHistory deliveries() {
            return new DeliveryHistory(session);
        }

        @Override
        public EventCapture capture() {
            return new EventCapture(session, engine::captured);
        }

        @Override
        public WebhookSettings settings() {
            return engine.settings();
        }

        @Override
        public OperationalEvents operational() {
            return engine.operationalEvents();
        }
    }
}
