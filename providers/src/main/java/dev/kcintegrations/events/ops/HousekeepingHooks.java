package dev.kcintegrations.events.ops;

import dev.kcintegrations.events.store.ClientCertificateEntity;
import dev.kcintegrations.events.store.SubscriptionEntity;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * What housekeeping asks of the parts above it, wired by the engine: ops imports only the store, so no package of
 * the flow imports it back in a cycle.
 */
public interface HousekeepingHooks {

    /** {@code count} of the subscription's deliveries were parked by housekeeping (retention ended). */
    void parked(KeycloakSession session, SubscriptionEntity subscription, int count);

    /**
     * Removes the subscriptions broken since before {@code before}, each in transactions of its own, after
     * housekeeping's has committed (it holds delivery rows those removals cancel). Returns how many.
     */
    int removeBroken(KeycloakSessionFactory factory, long before);

    /** The realm's webhook signing key {@code kid} retired. */
    void signingKeyRotated(KeycloakSession session, String realmId, String kid);

    /** Keycloak made a successor of a client certificate it made, presented from its activeFrom. */
    void clientCertificateAdded(KeycloakSession session, ClientCertificateEntity made);
}
