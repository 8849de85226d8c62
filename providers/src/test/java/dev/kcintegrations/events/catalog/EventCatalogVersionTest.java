package dev.kcintegrations.events.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.config.BodyFormat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Receivers generate code from the catalog and CloudEvents name its version in {@code dataschema}: a schema that
 * changes under the same version breaks them silently. So every version's schemas are fingerprinted in
 * {@code event-catalog-versions.properties}, and a change of any schema (a fact, a description, a new event type
 * of a newer Keycloak) fails here until {@link EventPayload#SCHEMA_VERSION} is raised and the new fingerprint
 * recorded.
 */
class EventCatalogVersionTest {

    @Test
    void aSchemaChangeComesWithANewVersion() throws Exception {
        String fingerprint = fingerprint();
        Properties recorded = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/event-catalog-versions.properties")) {
            recorded.load(in);
        }
        String version = EventPayload.SCHEMA_VERSION;
        String known = recorded.getProperty(version);
        assertNotNull(known, "Schema version " + version + " has no fingerprint yet: record " + version + "=" + fingerprint
                + " in src/test/resources/event-catalog-versions.properties");
        assertEquals(known, fingerprint, "The event schemas changed under version " + version + ": raise EventPayload.SCHEMA_VERSION"
                + " and record the new version's fingerprint " + fingerprint + " (the old ones stay: they were published)");
    }

    /** Every schema of the built-in topics, in every part, and the AsyncAPI document around them. */
    static String fingerprint() throws NoSuchAlgorithmException, IOException {
        EventCatalog catalog = EventCatalogTest.catalog(EventCatalogTest.USER, EventCatalogTest.ADMIN, EventCatalogTest.TEST,
                EventCatalogTest.WEBHOOKS);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (BodyFormat format : BodyFormat.values()) {
            // The documents leave out their x-keycloak-version: the Keycloak they run on says nothing of the schemas.
            ObjectNode doc = catalog.asyncApi(format);
            ((ObjectNode) doc.get("info")).remove("x-keycloak-version");
            digest.update(doc.toString().getBytes(StandardCharsets.UTF_8));
            for (EventCatalog.Part part : EventCatalog.Part.values()) {
                for (String eventType : new String[]{"LOGIN", "LOGIN_ERROR", "USER.UPDATE", "USER.CREATE", EventPayload.VERIFICATION, "any.test",
                        "subscription.disabled", "deliveries.parked", "clientCertificate.added"}) {
                    digest.update(catalog.jsonSchema(null, eventType, part, format).orElseThrow().toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
