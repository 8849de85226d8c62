package dev.kcintegrations.idcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static dev.kcintegrations.idcs.IdcsDemo.FS;
import static dev.kcintegrations.idcs.IdcsDemo.IDCS_AUDIENCE;
import static dev.kcintegrations.idcs.IdcsDemo.KeyHint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user assertion grant against an attacker who holds one good assertion, another key or another client,
 * and the rules around it: one use, the user's state, the administrator's choice of lookup attribute,
 * Keycloak's event, and every other client still on Keycloak's own grant.
 */
@KeycloakIntegrationTest
class IdcsUserAssertionIT {

    private static void assertRefused(Http.Reply reply, String error, String descriptionPart) {
        assertEquals(400, reply.status(), reply.shown());
        assertEquals(error, reply.json().path("error").asText(), reply.shown());
        assertTrue(reply.json().path("error_description").asText().contains(descriptionPart), reply.shown());
        assertFalse(reply.body().contains("eyJ"), "no token or assertion echoed: " + reply.body());
    }

    @Test
    void anAssertionIsUsedOnce(Keycloak keycloak) {
        String assertion = IdcsDemo.userAssertion("technician");
        assertEquals(200, IdcsDemo.userToken(keycloak, assertion, FS + "/use").status());
        assertRefused(IdcsDemo.userToken(keycloak, assertion, FS + "/use"), "invalid_grant", "reuse");
    }

    @Test
    void aDisabledUserGetsNoToken(Keycloak keycloak) {
        String username = "idcs-disabled-" + UUID.randomUUID().toString().substring(0, 8);
        keycloak.admin().create("/" + IdcsDemo.REALM + "/users", Map.of("username", username, "enabled", false));
        assertRefused(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion(username), FS + "/use"), "invalid_grant", "not enabled");
    }

    @Test
    void theAdministratorMayMatchTheSubjectToTheEmail(Keycloak keycloak) {
        withLookup(keycloak, "email", () -> {
            JsonNode claims = IdcsDemo.accessClaims(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("supervisor@example.com"), FS + "/use"));
            assertEquals("supervisor", usernameOf(keycloak, claims));
            assertRefused(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("supervisor"), FS + "/use"), "invalid_grant", "User not found");
        });
    }

    @Test
    void theAdministratorMayMatchTheSubjectToAUserAttribute(Keycloak keycloak) {
        AdminApi admin = keycloak.admin();
        String profilePath = "/" + IdcsDemo.REALM + "/users/profile";
        ObjectNode profile = (ObjectNode) admin.get(profilePath);
        ObjectNode declared = profile.deepCopy();
        declared.withArray("attributes").addObject().put("name", "idcsUserName").put("displayName", "IDCS user name")
                .putObject("permissions").putArray("edit").add("admin");
        admin.put(profilePath, declared);
        try {
            String idcsName = "J.DOE-" + UUID.randomUUID().toString().substring(0, 8) + "@EXAMPLE.COM";
            String userId = admin.create("/" + IdcsDemo.REALM + "/users", Map.of("username", "jdoe-" + UUID.randomUUID().toString().substring(0, 8),
                    "enabled", true, "attributes", Map.of("idcsUserName", List.of(idcsName))));
            withLookup(keycloak, "idcsUserName", () -> {
                JsonNode claims = IdcsDemo.accessClaims(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion(idcsName), FS + "/use"));
                assertEquals(userId, claims.get("sub").asText());
                assertEquals(userId, claims.get("user_id").asText());
                assertRefused(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("technician"), FS + "/use"), "invalid_grant", "User not found");
            });
        } finally {
            admin.put(profilePath, profile);
        }
    }

    private static String usernameOf(Keycloak keycloak, JsonNode claims) {
        return keycloak.admin().get("/" + IdcsDemo.REALM + "/users/" + claims.get("sub").asText()).get("username").asText();
    }

    /** Runs with the demo client matching assertions' sub against {@code attribute}, then back to usernames. */
    private static void withLookup(Keycloak keycloak, String attribute, Runnable body) {
        AdminApi admin = keycloak.admin();
        String client = "/" + IdcsDemo.REALM + "/clients/" + admin.clientUuid(IdcsDemo.REALM, IdcsDemo.CLIENT);
        ObjectNode rep = (ObjectNode) admin.get(client);
        ((ObjectNode) rep.get("attributes")).put(IdcsClient.ASSERTION_USER_ATTRIBUTE, attribute);
        admin.put(client, rep);
        try {
            body.run();
        } finally {
            // Keycloak keeps attributes a PUT leaves out; an empty value is how one is unset.
            ((ObjectNode) rep.get("attributes")).put(IdcsClient.ASSERTION_USER_ATTRIBUTE, "");
            admin.put(client, rep);
        }
    }

    @Test
    void anotherKeyUnderTheClientsKidDoesNotVerify(Keycloak keycloak) throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).generate();
        Instant now = Instant.now();
        String forged = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(IdcsDemo.CLIENT).subject("technician").audience(IDCS_AUDIENCE)
                .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build(),
                KeyHint.KID, attacker);
        assertRefused(IdcsDemo.userToken(keycloak, forged, FS + "/use"), "invalid_grant", "signature does not verify");
    }

    @Test
    void anAssertionIssuedByAnotherIsKeycloaksIdentityProviderGrantsToJudge(Keycloak keycloak) {
        Instant now = Instant.now();
        String other = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer("field-service-integration").subject("technician").audience(IDCS_AUDIENCE)
                .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build(),
                KeyHint.KID, IdcsDemo.key());
        assertRefused(IdcsDemo.userToken(keycloak, other, FS + "/use"), "invalid_grant", "No Identity Provider for provided issuer");
    }

    @Test
    void anAssertionWithoutIatIsRefused(Keycloak keycloak) {
        Instant now = Instant.now();
        String noIat = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(IdcsDemo.CLIENT).subject("technician").audience(IDCS_AUDIENCE)
                .jwtID(UUID.randomUUID().toString()).expirationTime(Date.from(now.plusSeconds(20))).build(), KeyHint.KID, IdcsDemo.key());
        assertRefused(IdcsDemo.userToken(keycloak, noIat, FS + "/use"), "invalid_grant", "no iat");
    }

    @Test
    void aControlCharacterInTheSubjectIsAnUnknownUserNotAServerError(Keycloak keycloak) {
        assertRefused(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("techni\u0000cian".translateEscapes()), FS + "/use"),
                "invalid_grant", "User not found");
    }

    @Test
    void beforeTheClientAuthenticatesNothingAboutUsersOrScopesIsTold(Keycloak keycloak) {
        // Without the secret, asking whether technician or supervisor holds a role gets one and the same answer.
        for (String user : List.of("technician", "supervisor")) {
            for (String scope : List.of("urn:opc:idm:role.field-service-admin", "urn:opc:resource:expiry=5", "urn:opc:resource:consumer:paas::write")) {
                Http.Reply probe = Http.post(IdcsDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        IdcsDemo.form("grant_type", "password", "client_id", IdcsDemo.CLIENT, "client_secret", "guess",
                                "username", user, "password", "x", "scope", scope));
                assertEquals(401, probe.status(), probe.shown());
                assertEquals("unauthorized_client", probe.json().path("error").asText(), probe.body());
            }
        }
    }

    @Test
    void withTheSecretButNotTheUsersPasswordNothingAboutTheUsersRolesIsTold(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(), rep -> {
            rep.put("directAccessGrantsEnabled", true);
            rep.withArray("optionalClientScopes").add(FS + "/events");
            rep.putArray("protocolMappers");
        })) {
            String role = "urn:opc:idm:role.field-service-admin";
            String scratch = "/" + IdcsDemo.REALM + "/clients/" + client.uuid() + "/scope-mappings/realm";
            keycloak.admin().call("POST", scratch, List.of(keycloak.admin().get("/" + IdcsDemo.REALM + "/roles/field-service-admin")));
            Http.Reply holder = client.password(keycloak, "supervisor", "wrong", role);
            Http.Reply lacker = client.password(keycloak, "technician", "wrong", role);
            assertEquals(holder.status(), lacker.status(), holder.body() + " / " + lacker.body());
            assertEquals(holder.json(), lacker.json());
            Http.Reply unsigned = client.userTokenUnsigned(keycloak, "supervisor", role);
            Http.Reply unsignedLacker = client.userTokenUnsigned(keycloak, "technician", role);
            assertEquals(unsigned.json(), unsignedLacker.json());
        }
    }

    @Test
    void controlCharactersAnywhereAreLeftToKeycloakAndNeverAServerError(Keycloak keycloak) {
        for (String body : List.of("grant_type=client_credentials&scope=urn%3Aopc%3Aidm%3Arole.%00&client_id=" + IdcsDemo.CLIENT + "&client_secret="
                + IdcsDemo.SECRET,
                "grant_type=client_credentials&scope=x&client_id=%00",
                "grant_type=password&scope=urn%3Aopc%3Aidm%3A__myscopes__&client_id=" + IdcsDemo.CLIENT + "&username=%00&password=x")) {
            Http.Reply reply = Http.post(IdcsDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"), body);
            assertTrue(reply.status() >= 400 && reply.status() < 500, body + " -> " + reply.status() + " " + reply.body());
        }
    }

    @Test
    void aRefreshedTokenKeepsTheExpiryCapAndTheNamesAsked(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(), rep -> {
            rep.put("directAccessGrantsEnabled", true);
            rep.withArray("optionalClientScopes").add("urn:opc:resource:consumer:paas::read");
        })) {
            Http.Reply first = client.password(keycloak, "supervisor", "supervisor",
                    "urn:opc:resource:expiry=120 urn:opc:resource:consumer:paas:analytics::read");
            JsonNode claims = IdcsDemo.accessClaims(first);
            assertEquals(120, claims.get("exp").asLong() - claims.get("iat").asLong());
            JsonNode refreshed = IdcsDemo.accessClaims(client.refresh(keycloak, first.json().get("refresh_token").asText()));
            assertEquals(120, refreshed.get("exp").asLong() - refreshed.get("iat").asLong(), refreshed.toString());
            assertEquals(List.of("urn:opc:resource:consumer:paas:analytics::read"), IdcsDemo.scopes(refreshed));
        }
    }

    @Test
    void anAssertionWithoutJtiIsRefused(Keycloak keycloak) {
        Instant now = Instant.now();
        String noJti = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(IdcsDemo.CLIENT).subject("technician").audience(IDCS_AUDIENCE)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build(), KeyHint.KID, IdcsDemo.key());
        assertRefused(IdcsDemo.userToken(keycloak, noJti, FS + "/use"), "invalid_grant", "jti");
    }

    @Test
    void aScopeOutsideTheClientsIsInvalidScope(Keycloak keycloak) {
        assertRefused(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("technician"), FS + "/setup"), "invalid_scope", FS + "/setup");
    }

    @Test
    void theGrantIsRecordedAsKeycloakRecordsItsOwn(Keycloak keycloak) {
        String userId = IdcsDemo.accessClaims(IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("technician"), FS + "/use")).get("sub").asText();
        JsonNode events = keycloak.admin().get("/" + IdcsDemo.REALM + "/events?type=JWT_AUTHORIZATION_GRANT&client=" + IdcsDemo.CLIENT + "&user=" + userId);
        assertFalse(events.isEmpty(), "a JWT_AUTHORIZATION_GRANT event for the user");
        assertEquals("technician", events.get(0).path("details").path("username").asText());

        IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion("nobody-here"), FS + "/use");
        JsonNode errors = keycloak.admin().get("/" + IdcsDemo.REALM + "/events?type=JWT_AUTHORIZATION_GRANT_ERROR&client=" + IdcsDemo.CLIENT);
        assertTrue(StreamSupport.stream(errors.spliterator(), false)
                .anyMatch(e -> e.path("details").path("reason").asText().equals("User not found")), errors.toString());
    }

    @Test
    void anExpiryNeverOutlivesWhatRemainsOfTheSession(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(),
                rep -> ((ObjectNode) rep.get("attributes")).put("client.session.max.lifespan", "100"))) {
            JsonNode claims = IdcsDemo.accessClaims(client.userToken(keycloak, "urn:opc:resource:expiry=200 " + FS + "/use"));
            long lifetime = claims.get("exp").asLong() - claims.get("iat").asLong();
            assertTrue(lifetime <= 100 && lifetime >= 95, "capped at the session's 100 s: " + lifetime);
        }
    }

    @Test
    void aDisabledClientIsRefusedBeforeItsAssertionIsRead(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(), rep -> rep.put("enabled", false))) {
            Http.Reply reply = client.userToken(keycloak, FS + "/use");
            assertEquals("invalid_client", reply.json().path("error").asText(), reply.shown());
        }
    }

    @Test
    void anOptedInClientStillNeedsKeycloaksJwtAuthorizationGrantSwitch(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(),
                rep -> ((ObjectNode) rep.get("attributes")).remove("oauth2.jwt.authorization.grant.enabled"))) {
            assertRefused(client.userToken(keycloak, FS + "/use"), "invalid_grant", "not supported for the requested client");
        }
    }

    @Test
    void clientsThatDidNotOptInKeepKeycloaksOwnGrantAndScopes(Keycloak keycloak) {
        // A copy of the demo client with Keycloak's switch on, the certificate, the kid: only the opt-in is off.
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(),
                rep -> ((ObjectNode) rep.get("attributes")).put(IdcsClient.ENABLED, "false"))) {
            assertRefused(client.userToken(keycloak, FS + "/use"), "invalid_grant", "No Identity Provider for provided issuer");
            assertRefused(client.clientCredentials(keycloak, "urn:opc:resource:expiry=300 " + FS + "/use"), "invalid_scope",
                    "urn:opc:resource:expiry=300");
        }
    }

    @Test
    void aScopeIsNeverSpelledWithTheScopesOfAClientThatDidNotAuthenticate(Keycloak keycloak) {
        // field-service-integration authenticates with the first Authorization header (Keycloak reads only the
        // first); a second header and an unsigned client assertion name the IDCS client.
        String basic = "Basic " + Base64.getEncoder().encodeToString("field-service-integration:FieldServiceDemoSecret-01".getBytes());
        String named = "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"sub\":\"" + IdcsDemo.CLIENT + "\",\"iss\":\"" + IdcsDemo.CLIENT + "\"}").getBytes()) + ".";
        String body = IdcsDemo.form("grant_type", "client_credentials", "scope", "urn:opc:idm:__myscopes__",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", named);
        URI endpoint = IdcsDemo.tokenEndpoint(keycloak);
        Http.Reply reply = RawHttp.exchange(endpoint, "POST " + endpoint.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + endpoint.getAuthority() + "\r\nConnection: close\r\n"
                + "Authorization: " + basic + "\r\nAuthorization: Basic " + Base64.getEncoder().encodeToString((IdcsDemo.CLIENT + ":x").getBytes()) + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertTrue(reply.status() >= 400 && reply.status() < 500, reply.status() + " " + reply.body());
        assertFalse(reply.body().contains("/events") || reply.body().contains("/view"), reply.shown());
    }

    @Test
    void withoutTheClaimsMapperAnExpiryIsRefusedNotIgnored(Keycloak keycloak) {
        try (ScratchIdcsClient client = ScratchIdcsClient.create(keycloak.admin(), rep -> rep.remove("protocolMappers"))) {
            Http.Reply reply = client.clientCredentials(keycloak, "urn:opc:resource:expiry=120 " + FS + "/use");
            assertRefused(reply, "invalid_scope", "IDCS token claims");
            assertEquals(200, client.clientCredentials(keycloak, FS + "/use").status());
        }
    }
}
