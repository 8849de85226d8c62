package dev.kcintegrations.events.admin;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import java.util.List;

/**
 * Serves the event-subscriptions page at {@code /realms/{realm}/event-subscriptions/console/} and keeps its
 * sign-in client ({@link ConsoleClient}) in every realm: made at start for realms that lack it and when a
 * realm is created or imported. {@code --spi-realm-restapi-extension--event-subscriptions--console-client=false}
 * turns both off (the page then answers 404 and no client is made).
 */
public final class SubscriptionsConsoleProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = "event-subscriptions";
    private static final String CONSOLE_OPTION = "console-client";
    private static final Logger LOG = Logger.getLogger(SubscriptionsConsoleProviderFactory.class);

    private boolean enabled = true;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return enabled ? new SubscriptionsConsole(session) : null;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        enabled = config.getBoolean(CONSOLE_OPTION, true);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (!enabled) {
            return;
        }
        factory.register(event -> {
            if (event instanceof RealmModel.RealmPostCreateEvent created) {
                ConsoleClient.ensure(created.getCreatedRealm());
            } else if (event instanceof PostMigrationEvent) {
                ensureEverywhere(factory);
            }
        });
    }

    private static void ensureEverywhere(KeycloakSessionFactory factory) {
        try {
            KeycloakModelUtils.runJobInTransaction(factory, session -> session.realms().getRealmsStream().forEach(ConsoleClient::ensure));
        } catch (RuntimeException e) {
            // Two nodes starting together may both make a realm's client: one wins the unique key, the other's
            // transaction is rolled back here, and the client exists either way.
            LOG.infof("The event-subscriptions console client was not made at start (%s); another node may have made it",
                    e.getClass().getSimpleName());
        }
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name(CONSOLE_OPTION).type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(true)
                .helpText("Serve the Event subscriptions page and keep its public sign-in client in every realm").add()
                .build();
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
