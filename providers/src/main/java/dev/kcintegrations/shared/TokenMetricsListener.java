package dev.kcintegrations.shared;

import org.keycloak.Config;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

import java.util.Set;

/**
 * Counts the events that end a token request — on Keycloak's token endpoint, {@code oauth-compat/token}
 * and {@code plugin-api} (their events carry {@code endpoint}) — per endpoint and outcome. A global
 * listener: it needs no entry in a realm's event listeners.
 */
public final class TokenMetricsListener implements EventListenerProviderFactory, EventListenerProvider {

    private static final Set<String> TOKEN_EVENTS = Set.of("CLIENT_LOGIN", "CODE_TO_TOKEN", "REFRESH_TOKEN", "TOKEN_EXCHANGE");

    @Override
    public void onEvent(Event event) {
        String type = event.getType().name();
        boolean error = type.endsWith("_ERROR");
        String base = error ? type.substring(0, type.length() - "_ERROR".length()) : type;
        if (TOKEN_EVENTS.contains(base)) {
            String endpoint = event.getDetails() == null ? null : event.getDetails().get("endpoint");
            TokenMetrics.issued(endpoint == null ? "token" : endpoint, !error);
        }
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
    }

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public boolean isGlobal() {
        return true;
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
        return "kci-token-metrics";
    }
}
