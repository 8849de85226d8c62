package dev.kcintegrations.events;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import java.util.List;
import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import dev.kcintegrations.testing.RawHttp;

/** Users of the demo realm made and signed in as the tests need them: each sign-in is an event to deliver. */
final class RealmUsers {

    private RealmUsers() {
    }

    static String newUser(Keycloak keycloak, String username) {
        ObjectNode user = keycloak.admin().object();
        user.put("username", username);
        user.put("enabled", true);
        user.put("email", username + "@example.com");
        user.put("firstName", "Test");
        user.put("lastName", "User");
        user.put("emailVerified", true);
        ObjectNode credential = user.putArray("credentials").addObject();
        credential.put("type", "password");
        credential.put("value", "Secret-" + username);
        credential.put("temporary", false);
        return keycloak.admin().create("/" + Ess.REALM + "/users", user);
    }

    static Http.Reply login(Keycloak keycloak, String username, String password) {
        return Http.post(keycloak.realmUrl(Ess.REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=field-service-plugin&username=" + username + "&password=" + password);
    }

    static void signInWithHost(Keycloak keycloak, String username, String host) {
        String form = "grant_type=password&client_id=field-service-plugin&username=" + username + "&password=Secret-" + username;
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(), "POST /realms/" + Ess.REALM
                + "/protocol/openid-connect/token HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form);
        assertEquals(200, reply.status(), reply.shown());
    }

    static String adminToken(Keycloak keycloak) {
        return Http.post(keycloak.baseUrl().resolve("/realms/master/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=admin-cli&username=admin&password=admin").json().get("access_token").asText();
    }

    /** A user of the demo realm holding these realm-management roles, and a token of theirs from admin-cli. */
    static String realmUser(Keycloak keycloak, String username, String... roles) {
        return userOfRealm(keycloak, Ess.REALM, username, roles);
    }

    /** A user of {@code realm} holding these of its realm-management roles, and a token of theirs from admin-cli. */
    static String userOfRealm(Keycloak keycloak, String realm, String username, String... roles) {
        ObjectNode user = keycloak.admin().object();
        user.put("username", username).put("enabled", true).put("email", username + "@example.com")
                .put("firstName", "Test").put("lastName", "Admin").put("emailVerified", true);
        user.putArray("credentials").addObject().put("type", "password").put("value", "Secret-" + username).put("temporary", false);
        String userId = keycloak.admin().create("/" + realm + "/users", user);
        String realmManagement = keycloak.admin().clientUuid(realm, "realm-management");
        for (String role : roles) {
            JsonNode representation = keycloak.admin().get("/" + realm + "/clients/" + realmManagement + "/roles/" + role);
            Http.Reply added = keycloak.admin().call("POST", "/" + realm + "/users/" + userId + "/role-mappings/clients/" + realmManagement,
                    List.of(representation));
            assertEquals(204, added.status(), added.shown());
        }
        Http.Reply token = Http.post(keycloak.realmUrl(realm, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=admin-cli&username=" + username + "&password=Secret-" + username);
        assertEquals(200, token.status(), token.shown());
        return token.json().get("access_token").asText();
    }
}
