package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo realm's Frontend URL (realm attribute {@code frontendUrl}) set for a test, and cleared again on close. */
final class FrontendUrl implements AutoCloseable {

    private final Keycloak keycloak;

    private FrontendUrl(Keycloak keycloak) {
        this.keycloak = keycloak;
    }

    static FrontendUrl set(Keycloak keycloak, String url) {
        put(keycloak, url);
        return new FrontendUrl(keycloak);
    }

    @Override
    public void close() {
        put(keycloak, "");
    }

    private static void put(Keycloak keycloak, String url) {
        ObjectNode realm = keycloak.admin().object();
        realm.putObject("attributes").put("frontendUrl", url);
        Http.Reply reply = keycloak.admin().call("PUT", "/" + Ess.REALM, realm);
        assertEquals(204, reply.status(), reply.body());
    }
}
