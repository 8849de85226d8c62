package dev.kcintegrations.events;

import dev.kcintegrations.events.capture.EventCapture;
import dev.kcintegrations.events.capture.OperationalEvents;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lifecycle.DeliveryHistory;
import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/**
 * What the two APIs ({@code events/v4} and the administrators' resource) ask of the webhook engine within one
 * request: reached with {@code session.getProvider(EventSubscriptionsProvider.class)}, as Keycloak's own resources
 * reach a service, so neither builds the lifecycle or knows how the engine is wired.
 */
public interface EventSubscriptionsProvider extends Provider {

    /** The subscription rules of this realm, in this request's transaction. */
    SubscriptionLifecycle lifecycle(RealmModel realm);

    /** Deliveries of a subscription, one page at a time, as both APIs list them. */
    DeliveryHistory deliveries();

    /** Captures an event (a subscriber's test event) and wakes the lanes once it committed. */
    EventCapture capture();

    WebhookSettings settings();

    /** The events of topic keycloak.webhooks (a client certificate published, a status an administrator set). */
    OperationalEvents operational();

    @Override
    default void close() {
        // nothing held beyond the request
    }
}
