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
 * realm is created or imported, once per realm: one an administrator deleted is not made again.
 * {@code --spi-realm-restapi-extension--event-subscriptions--console-client=false} turns both off (the page then
 * answers 404 and no client is made; clients made before stay until an administrator deletes them).
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

    /** One realm at a time: a realm that cannot get its client (another node made it first) does not hold up the rest. */
    private static void ensureEverywhere(KeycloakSessionFactory factory) {
        List<String> realmIds = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                session -> session.realms().getRealmsStream().map(RealmModel::getId).toList());
        for (String realmId : realmIds) {
            try {
                KeycloakModelUtils.runJobInTransaction(factory, session -> {
                    RealmModel realm = session.realms().getRealm(realmId);
                    if (realm != null) {
                        ConsoleClient.ensure(realm);
                    }
                });
            } catch (RuntimeException e) {
                // Two nodes starting together may both make it: one wins the unique key, this one's transaction is rolled back.
                LOG.warnf("The event-subscriptions console client of realm %s was not made at start: %s (another node may have made it)",
                        realmId, e.getMessage());
            }
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
