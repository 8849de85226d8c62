package dev.kcintegrations.events.topics;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The topics of a realm: the four built in, overridden or joined by those the administrator declares
 * as "Event topics" components (realm JSON or admin console). Components live in the realm model, so a
 * topic declared on one node is seen by every node through Keycloak's realm cache invalidation.
 */
public final class Topics {

    public static final String PUBLIC_TEST = "public.test";
    public static final String KEYCLOAK_USER = "keycloak.user";
    public static final String KEYCLOAK_ADMIN = "keycloak.admin";
    /** Operational events: subscriptions suspended, disabled, enabled, deliveries parked, keys and certificates. */
    public static final String KEYCLOAK_WEBHOOKS = "keycloak.webhooks";
    public static final String WEBHOOKS_SCOPE = "events.webhooks.read";

    private static final List<Topic> BUILT_IN = List.of(
            new Topic(PUBLIC_TEST, "", Topic.Source.TEST, Optional.empty()),
            new Topic(KEYCLOAK_USER, "events.user.read", Topic.Source.USER, Optional.empty()),
            new Topic(KEYCLOAK_ADMIN, "events.admin.read", Topic.Source.ADMIN, Optional.empty()),
            new Topic(KEYCLOAK_WEBHOOKS, WEBHOOKS_SCOPE, Topic.Source.WEBHOOKS, Optional.empty()));

    private Topics() {
    }

    public static List<Topic> of(RealmModel realm) {
        Map<String, Topic> topics = new LinkedHashMap<>();
        BUILT_IN.forEach(topic -> topics.put(topic.name(), topic));
        realm.getComponentsStream(realm.getId(), UiPageProvider.class.getName())
                .filter(component -> TopicPage.PROVIDER_ID.equals(component.getProviderId()))
                .map(Topics::fromComponent)
                .flatMap(Optional::stream)
                .forEach(topic -> topics.put(topic.name(), topic));
        return List.copyOf(topics.values());
    }

    public static Optional<Topic> named(RealmModel realm, String name) {
        return of(realm).stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    public static List<Topic> fedBy(RealmModel realm, Topic.Source source) {
        return of(realm).stream().filter(topic -> topic.source() == source).toList();
    }

    /**
     * The realm's declared topics that are skipped because they no longer validate (an {@code eventTypes} an
     * earlier version accepted, such as counted repetition), each as "name: why", for the warning at start-up.
     */
    public static List<String> unusable(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), UiPageProvider.class.getName())
                .filter(component -> TopicPage.PROVIDER_ID.equals(component.getProviderId()))
                .filter(component -> fromComponent(component).isEmpty())
                .map(component -> component.getName() + ": eventTypes '" + component.get(TopicPage.EVENT_TYPES) + "' is refused today ("
                        + why(component.get(TopicPage.EVENT_TYPES)) + "); the topic is not offered until an administrator corrects it")
                .toList();
    }

    private static String why(String types) {
        try {
            EventTypeFilter.compile(types);
            return "its other settings do not validate";
        } catch (RuntimeException refused) {
            return refused.getMessage();
        }
    }

    /** A component that no longer validates (edited in the database, say) is skipped, not fatal. */
    static Optional<Topic> fromComponent(ComponentModel component) {
        try {
            String types = component.get(TopicPage.EVENT_TYPES);
            return Optional.of(new Topic(component.get(TopicPage.TOPIC_NAME).strip(),
                    Optional.ofNullable(component.get(TopicPage.SCOPE)).orElse("").strip(),
                    Topic.Source.parse(component.get(TopicPage.SOURCE)),
                    types == null || types.isBlank() ? Optional.empty() : Optional.of(EventTypeFilter.compile(types))));
        } catch (RuntimeException invalid) {
            return Optional.empty();
        }
    }
}
