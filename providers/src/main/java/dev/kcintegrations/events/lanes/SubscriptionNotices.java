package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.store.SubscriptionEntity;
import org.keycloak.models.KeycloakSession;

/**
 * What the group commit tells about the subscriptions it changed, from the transaction that changed them: the notice
 * is captured once that transaction committed, never for a change that rolled back (capture/OperationalEvents makes
 * them events of {@code keycloak.webhooks}).
 */
public interface SubscriptionNotices {

    /** The subscription moved to the status it now has (suspended, disabled, served again), for {@code reason}. */
    void moved(KeycloakSession session, SubscriptionEntity subscription, String reason);

    /** {@code count} of its deliveries were parked: retried until their retention ended. */
    void parked(KeycloakSession session, SubscriptionEntity subscription, int count);
}
