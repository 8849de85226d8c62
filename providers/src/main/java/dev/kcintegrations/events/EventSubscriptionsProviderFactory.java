package dev.kcintegrations.events;

import org.keycloak.provider.ProviderFactory;

/** Makes the per-request {@link EventSubscriptionsProvider}. */
public interface EventSubscriptionsProviderFactory extends ProviderFactory<EventSubscriptionsProvider> {
}
