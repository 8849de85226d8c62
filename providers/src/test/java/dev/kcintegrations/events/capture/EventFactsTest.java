package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.keycloak.events.Event;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;

import java.net.URI;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class EventFactsTest {

    static final URI ADMIN = URI.create("https://sso.example.com/admin/realms/r");

    @Test
    void profileUpdateNamesTheChangedAttributesOnly() {
        Event event = new Event();
        event.setType(EventType.UPDATE_PROFILE);
        event.setUserId("u1");
        event.setDetails(Map.of("previous_first_name", "Alice", "updated_first_name", "Alicia",
                "previous_email", "a@example.com", "updated_email", "b@example.com"));
        ObjectNode facts = EventFacts.ofUserEvent(event, ADMIN);
        assertEquals("[\"email\",\"first_name\"]", facts.get("changedAttributes").toString());
        assertFalse(facts.toString().contains("Alic"));
        assertFalse(facts.toString().contains("example.com\""));
    }

    @Test
    void detailsNotOnTheListAreLeftOut() {
        Event event = new Event();
        event.setType(EventType.CODE_TO_TOKEN);
        event.setDetails(Map.of("code_id", "c", "token_id", "t", "refresh_token_id", "r", "username", "alice"));
        ObjectNode facts = EventFacts.ofUserEvent(event, ADMIN);
        assertEquals("{\"username\":\"alice\"}", facts.get("details").toString());
    }

    @Test
    void userEventLinksToTheUserInTheAdminApi() {
        Event event = new Event();
        event.setType(EventType.LOGIN);
        event.setUserId("u1");
        assertEquals("https://sso.example.com/admin/realms/r/users/u1", EventFacts.ofUserEvent(event, ADMIN).get("href").asText());
    }

    @Test
    void adminUpdateNamesTheFieldsButNoValue() {
        AdminEvent event = new AdminEvent();
        event.setOperationType(OperationType.UPDATE);
        event.setResourceTypeAsString("CLIENT");
        event.setResourcePath("clients/c1");
        event.setAuthDetails(new AuthDetails());
        event.setRepresentation("{\"id\":\"c1\",\"secret\":\"s3cr3t\",\"redirectUris\":[\"https://x\"]}");
        ObjectNode facts = EventFacts.ofAdminEvent(event, true, ADMIN);
        assertEquals("[\"redirectUris\",\"secret\"]", facts.get("changedAttributes").toString());
        assertFalse(facts.toString().contains("s3cr3t"));
        assertEquals("https://sso.example.com/admin/realms/r/clients/c1", facts.get("href").asText());
    }

    @Test
    void adminCreateHasNoChangedAttributes() {
        AdminEvent event = new AdminEvent();
        event.setOperationType(OperationType.CREATE);
        event.setResourceTypeAsString("USER");
        event.setResourcePath("users/u1");
        event.setRepresentation("{\"username\":\"alice\"}");
        assertNull(EventFacts.ofAdminEvent(event, true, ADMIN).get("changedAttributes"));
    }

    /** A resource path holds what administrators named things; the link to it is a URI all the same. */
    @Test
    void adminLinksAreUrisWhateverTheResourceIsCalled() {
        AdminEvent event = new AdminEvent();
        event.setOperationType(OperationType.CREATE);
        event.setResourceTypeAsString("REALM_ROLE");
        event.setResourcePath("roles/my role ü");
        String href = EventFacts.ofAdminEvent(event, true, ADMIN).get("href").asText();
        assertEquals("https://sso.example.com/admin/realms/r/roles/my%20role%20%C3%BC", href);
        assertEquals("/admin/realms/r/roles/my role ü", URI.create(href).getPath());
    }
}
