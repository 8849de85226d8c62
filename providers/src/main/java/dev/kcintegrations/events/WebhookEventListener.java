package dev.kcintegrations.events;

import dev.kcintegrations.events.capture.EventCapture;
import dev.kcintegrations.events.capture.EventFacts;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.events.config.RealmUrl;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.events.topics.Topics;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.net.URI;
import java.time.Instant;

/** Keycloak's user and admin events, turned into payloads and captured for the topics they feed. */
final class WebhookEventListener implements EventListenerProvider {

    private final KeycloakSession session;
    private final WebhookEngine engine;

    WebhookEventListener(KeycloakSession session, WebhookEngine engine) {
        this.session = session;
        this.engine = engine;
    }

    @Override
    public void onEvent(Event event) {
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        if (realm == null) {
            return;
        }
        String type = event.getType().name();
        new EventCapture(session, engine::captured).capture(realm, Topics.fedBy(realm, Topic.Source.USER), type, () ->
                new EventPayload(event.getId(), Correlation.fromRequest(session).orElse(event.getId()),
                        type, Topics.KEYCLOAK_USER, realm.getName(), Instant.ofEpochMilli(event.getTime()),
                        EventFacts.ofUserEvent(event, adminBase(realm)), Topic.Source.USER,
                        event.getUserId() == null ? null : "users/" + event.getUserId(), RealmUrl.configured(realm)));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        if (realm == null || event.getOperationType() == null) {
            return;
        }
        String type = event.getResourceTypeAsString() + "." + event.getOperationType().name();
        new EventCapture(session, engine::captured).capture(realm, Topics.fedBy(realm, Topic.Source.ADMIN), type, () ->
                new EventPayload(event.getId(), Correlation.fromRequest(session).orElse(event.getId()),
                        type, Topics.KEYCLOAK_ADMIN, realm.getName(), Instant.ofEpochMilli(event.getTime()),
                        EventFacts.ofAdminEvent(event, includeRepresentation, adminBase(realm)), Topic.Source.ADMIN,
                        event.getResourcePath(), RealmUrl.configured(realm)));
    }

    /** Links in a signed body come from configuration, never from the request that raised the event (its Host header). */
    private static URI adminBase(RealmModel realm) {
        return RealmUrl.configuredAdmin(realm);
    }

    @Override
    public void close() {
    }
}
