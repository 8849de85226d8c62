package dev.kcintegrations.events.capture;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.net.URI;

/** {@code <server>/realms/<name>}, the realm's issuer as this request sees the server. */
public final class RealmUrl {

    private RealmUrl() {
    }

    /** @return null outside a request (a scheduled task has no server URL to speak of) */
    public static URI of(KeycloakSession session, RealmModel realm) {
        try {
            String base = session.getContext().getUri().getBaseUri().toString().replaceAll("/+$", "");
            return URI.create(base + "/realms/" + realm.getName());
        } catch (RuntimeException noRequest) {
            return null;
        }
    }
}
