package dev.kcintegrations.events.topics;

import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a subscribing application may still read a topic — the events API's own rule, applied again when
 * an event is captured and before each send, so that disabling the client, taking away its service account
 * or one of the topic's scopes, or deleting it, stops its deliveries at once. Everything is read through
 * Keycloak's realm cache, which the cluster invalidates on every change, so a login pays no query for it.
 */
public final class SubscriberAccess {

    private SubscriberAccess() {
    }

    /** Why the application may not receive the topic's events now; empty when it may. */
    public static Optional<String> denial(RealmModel realm, String applicationId, Topic topic) {
        ClientModel client = realm.getClientById(applicationId);
        if (client == null) {
            return Optional.of("the application no longer exists");
        }
        if (!client.isEnabled()) {
            return Optional.of("the application is disabled");
        }
        if (!client.isServiceAccountsEnabled()) {
            return Optional.of("the application has no service account");
        }
        Set<String> scopes = new HashSet<>(client.getClientScopes(true).keySet());
        scopes.addAll(client.getClientScopes(false).keySet());
        if (!topic.readableWith(scopes)) {
            return Optional.of("the application no longer has the scopes of topic " + topic.name());
        }
        return Optional.empty();
    }

    public static Optional<String> denial(RealmModel realm, String applicationId, String topicName) {
        return Topics.named(realm, topicName)
                .map(topic -> denial(realm, applicationId, topic))
                .orElse(Optional.of("topic " + topicName + " no longer exists"));
    }
}
