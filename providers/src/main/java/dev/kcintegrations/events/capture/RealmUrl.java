package dev.kcintegrations.events.capture;

import org.keycloak.common.util.KeycloakUriBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;

import java.net.URI;

/**
 * The realm's URLs as the current request sees the server, the realm's name encoded (a realm may be called
 * "Müller &amp; Söhne"): its issuer, and its base in the admin REST API.
 */
public final class RealmUrl {

    private RealmUrl() {
    }

    /** {@code <server>/realms/<name>}, the realm's issuer; null outside a request (a scheduled task has no server URL). */
    public static URI of(KeycloakSession session, RealmModel realm) {
        URI base = base(session);
        return base == null ? null : of(base, realm.getName());
    }

    /** {@code <server>/admin/realms/<name>}; null outside a request. */
    public static URI adminOf(KeycloakSession session, RealmModel realm) {
        URI base = base(session);
        return base == null ? null : KeycloakUriBuilder.fromUri(base).path("/admin/realms/{realm}").build(realm.getName());
    }

    static URI of(URI base, String realmName) {
        return URI.create(Urls.realmIssuer(base, realmName));
    }

    private static URI base(KeycloakSession session) {
        try {
            return session.getContext().getUri().getBaseUri();
        } catch (RuntimeException noRequest) {
            return null;
        }
    }
}
