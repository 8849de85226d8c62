package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.StrictJson;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** One event in both formats: the same id, time, correlation id and facts. */
class EventPayloadTest {

    static final Instant AT = Instant.parse("2026-11-30T16:33:28.530Z");

    static EventPayload login(URI realmUrl) {
        return new EventPayload("e1", "c1", "LOGIN", "keycloak.user", "my realm", AT,
                StrictJson.MAPPER.createObjectNode().put("userId", "u1"), Topic.Source.USER, "users/u1", realmUrl);
    }

    @Test
    void bothFormatsCarryTheSameEvent() throws Exception {
        URI realm = URI.create("https://sso.example.com/realms/my%20realm");
        JsonNode ess = StrictJson.MAPPER.readTree(login(realm).toJson(BodyFormat.ESS));
        JsonNode ce = StrictJson.MAPPER.readTree(login(realm).toJson(BodyFormat.CLOUDEVENTS));
        assertEquals(ess.get("id"), ce.get("id"));
        assertEquals(ess.get("timeStamp"), ce.get("time"));
        assertEquals(ess.get("correlationId"), ce.get("correlationid"));
        assertEquals(ess.get("facts"), ce.get("data"));
        assertEquals("org.keycloak.user.LOGIN", ce.get("type").asText());
        assertEquals(realm.toString(), ce.get("source").asText());
        assertEquals("https://sso.example.com/realms/my%20realm/events/v4/catalog?format=json-schema&topic=keycloak.user&eventType=LOGIN&part=data&version="
                + EventPayload.SCHEMA_VERSION, ce.get("dataschema").asText());
    }

    /** An event outside a request (a scheduled task's) has no server URL: a URN names the realm, and no dataschema is claimed. */
    @Test
    void outsideARequestTheSourceIsAUrnOfTheRealm() throws Exception {
        JsonNode ce = StrictJson.MAPPER.readTree(login(null).toJson(BodyFormat.CLOUDEVENTS));
        assertEquals("urn:keycloak:realm:my+realm", ce.get("source").asText());
        URI.create(ce.get("source").asText());
        assertFalse(ce.has("dataschema"));
    }
}
