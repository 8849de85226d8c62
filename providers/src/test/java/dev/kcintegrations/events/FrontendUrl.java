package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo realm's Frontend URL (realm attribute {@code frontendUrl}) set for a test, and put back on close. The
 * realm is read, changed and written whole: a representation holding only this attribute replaced all of the
 * realm's attributes (its environment among them), which broke every class that ran after it.
 */
final class FrontendUrl implements AutoCloseable {

    private final Keycloak keycloak;
    private final String before;

    private FrontendUrl(Keycloak keycloak, String before) {
        this.keycloak = keycloak;
        this.before = before;
    }

    static FrontendUrl set(Keycloak keycloak, String url) {
        String before = keycloak.admin().get("/" + Ess.REALM).path("attributes").path("frontendUrl").asText("");
        put(keycloak, url);
        return new FrontendUrl(keycloak, before);
    }

    @Override
    public void close() {
        put(keycloak, before);
    }

    private static void put(Keycloak keycloak, String url) {
        ObjectNode realm = (ObjectNode) keycloak.admin().get("/" + Ess.REALM);
        ObjectNode attributes = realm.has("attributes") ? (ObjectNode) realm.get("attributes") : realm.putObject("attributes");
        attributes.put("frontendUrl", url);
        Http.Reply reply = keycloak.admin().call("PUT", "/" + Ess.REALM, realm);
        assertEquals(204, reply.status(), reply.shown());
    }
}
