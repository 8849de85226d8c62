package dev.kcintegrations.events.topics;

import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An "Event topics" page in the admin console (declarative UI): each entry declares a topic — its name,
 * the client scope that grants it and which of Keycloak's events feed it. The same entries can be given in
 * realm JSON under {@code components."org.keycloak.services.ui.extend.UiPageProvider"}.
 */
public final class TopicPage implements UiPageProvider, UiPageProviderFactory<ComponentModel> {

    public static final String PROVIDER_ID = "event-topics";
    static final String TOPIC_NAME = "topic";
    static final String SCOPE = "scope";
    static final String SOURCE = "source";
    static final String EVENT_TYPES = "eventTypes";

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        String name = model.get(TOPIC_NAME);
        if (name == null || !name.strip().matches("[a-z0-9][a-z0-9.-]{0,127}")) {
            // No apostrophes in these messages: Keycloak formats them with MessageFormat, which would eat them.
            throw new ComponentValidationException("topic must be 1 to 128 lowercase letters, digits, dots or hyphens");
        }
        String source = model.get(SOURCE);
        try {
            Topic.Source.parse(source == null ? "" : source);
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException("source must be one of user, admin, test");
        }
        String scope = Optional.ofNullable(model.get(SCOPE)).orElse("").strip();
        if (!scope.isEmpty() && realm.getClientScopesStream().noneMatch(s -> s.getName().equals(scope))) {
            throw new ComponentValidationException("scope " + scope + " is not a client scope of this realm");
        }
        String types = model.get(EVENT_TYPES);
        if (types != null && !types.isBlank()) {
            try {
                EventTypeFilter.compile(types);
            } catch (EventTypeFilter.InvalidFilterException e) {
                throw new ComponentValidationException("eventTypes: " + e.getMessage());
            }
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    /** The columns of the console's list of topics (without it, the first three properties in any order). */
    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of("displayFields", List.of(TOPIC_NAME, SCOPE, SOURCE));
    }

    @Override
    public String getHelpText() {
        return "Topics applications may subscribe webhooks to through /realms/{realm}/events/v4. Built in: "
                + "public.test, keycloak.user (scope events.user.read), keycloak.admin (scope events.admin.read); "
                + "an entry with the same name replaces a built-in one. Who subscribes to them, and their deliveries: "
                + "the Event subscriptions page (Clients, event-subscriptions-console, Home URL; in the master realm for its administrators).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(TOPIC_NAME).label("Topic").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Name subscribers use, e.g. keycloak.user.login").add()
                .property().name(SCOPE).label("Client scope").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Client scope a token needs besides events.topic.read; empty: events.topic.read alone").add()
                .property().name(SOURCE).label("Source").type(ProviderConfigProperty.LIST_TYPE)
                .options("user", "admin", "test").defaultValue("user")
                .helpText("user: Keycloak's user events; admin: admin events (RESOURCE.OPERATION); test: test events only").add()
                .property().name(EVENT_TYPES).label("Event types").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Optional regular expression (full match, RE2 syntax) limiting the event types of this topic").add()
                .build();
    }
}
