package dev.kcintegrations.events;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** The SPI through which resources reach the webhook engine: {@code session.getProvider(EventSubscriptionsProvider.class)}. */
public final class EventSubscriptionsSpi implements Spi {

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return "event-subscriptions";
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return EventSubscriptionsProvider.class;
    }

    @Override
    public Class<? extends ProviderFactory<?>> getProviderFactoryClass() {
        return EventSubscriptionsProviderFactory.class;
    }
}
