package dev.kcintegrations.events.config;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A realm's name is the administrator's choice: its URL (a CloudEvent's source) is a URI whatever it is. */
class RealmUrlTest {

    @Test
    void theRealmsNameIsEncoded() {
        URI url = RealmUrl.of(URI.create("https://sso.example.com/"), "Müller & Söhne|{x}");
        assertEquals("https://sso.example.com/realms/M%C3%BCller%20&%20S%C3%B6hne%7C%7Bx%7D", url.toString());
        assertEquals("/realms/Müller & Söhne|{x}", url.getPath());
    }
}
