package dev.kcintegrations.idcs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.KeycloakLifespan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.kcintegrations.idcs.IdcsDemo.ACCOUNT;
import static dev.kcintegrations.idcs.IdcsDemo.FS;
import static dev.kcintegrations.idcs.IdcsDemo.IDCS_AUDIENCE;
import static dev.kcintegrations.idcs.IdcsDemo.KeyHint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oracle's documented IDCS token requests, one row each (request → the answer Keycloak gives), sent by the demo
 * realm's {@code idcs-integration} client exactly as an IDCS client sends them. The table in docs/integration-developers.md is this one.
 */
@KeycloakIntegrationTest
class IdcsConformanceIT {

    private static final String CONSUMER_ALL = "urn:opc:resource:consumer::all";
    private static final String PAAS_READ = "urn:opc:resource:consumer:paas::read";

    /** One documented case: the request, and either the token's checks or the refusal. */
    record Row(String name, Function<Keycloak, Http.Reply> request, String error, String descriptionPart,
               Consumer<JsonNode> token) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row token(String name, Function<Keycloak, Http.Reply> request, Consumer<JsonNode> token) {
        return new Row(name, request, null, null, token);
    }

    static Row refused(String name, Function<Keycloak, Http.Reply> request, String error, String descriptionPart) {
        return new Row(name, request, error, descriptionPart, null);
    }

    static Function<Keycloak, Http.Reply> clientCredentials(String scope) {
        return keycloak -> IdcsDemo.clientCredentials(keycloak, scope);
    }

    static Function<Keycloak, Http.Reply> userAssertion(String user, String scope) {
        return keycloak -> IdcsDemo.userToken(keycloak, IdcsDemo.userAssertion(user), scope);
    }

    static Stream<Row> oracleCases() {
        return Stream.of(
                // Custom Token Expiry
                token("expiry=300 with a resource scope: expires_in 300", clientCredentials("urn:opc:resource:expiry=300 " + FS + "/use"),
                        claims -> assertEquals(300, claims.get("exp").asLong() - claims.get("iat").asLong())),
                token("expiry above the resource's lifetime (the client's 3600 s): 3600", clientCredentials("urn:opc:resource:expiry=31556952 " + FS + "/use"),
                        claims -> KeycloakLifespan.assertLifespan(3600, claims.get("iat").asLong(), claims.get("exp").asLong())),
                token("no expiry: the resource's lifetime", clientCredentials(FS + "/use"),
                        claims -> KeycloakLifespan.assertLifespan(3600, claims.get("iat").asLong(), claims.get("exp").asLong())),
                token("expiry=90 on a user assertion: 90", userAssertion("technician", "urn:opc:resource:expiry=90 " + FS + "/use"),
                        claims -> assertEquals(90, claims.get("exp").asLong() - claims.get("iat").asLong())),
                refused("expiry=59: below 60 s", clientCredentials("urn:opc:resource:expiry=59 " + FS + "/use"), "invalid_scope", "60 to 31556952"),
                refused("expiry above one year", clientCredentials("urn:opc:resource:expiry=31556953"), "invalid_scope", "60 to 31556952"),
                refused("expiry not a number", clientCredentials("urn:opc:resource:expiry=5m"), "invalid_scope", "whole number"),
                refused("expiry twice", clientCredentials("urn:opc:resource:expiry=300 urn:opc:resource:expiry=600"), "invalid_scope", "once"),
                // Accessing All Resources: __myscopes__ and roles
                token("__myscopes__ (client): every URN scope of the client, one audience", clientCredentials("urn:opc:idm:__myscopes__"),
                        claims -> {
                            assertTrue(IdcsDemo.scopes(claims).containsAll(List.of(FS + "/use", FS + "/view", FS + "/events")), claims.toString());
                            assertFalse(IdcsDemo.scopes(claims).contains(CONSUMER_ALL));
                            assertEquals(List.of(FS), IdcsDemo.audiences(claims));
                        }),
                token("__myscopes__ with expiry=300 (Oracle's own example)", clientCredentials("urn:opc:idm:__myscopes__ urn:opc:resource:expiry=300"),
                        claims -> assertEquals(300, claims.get("exp").asLong() - claims.get("iat").asLong())),
                token("__myscopes__ (user without the role): not the role's scope", userAssertion("technician", "urn:opc:idm:__myscopes__"),
                        claims -> {
                            assertTrue(IdcsDemo.scopes(claims).containsAll(List.of(FS + "/use", FS + "/view")), claims.toString());
                            assertFalse(IdcsDemo.scopes(claims).contains(FS + "/events"), claims.toString());
                        }),
                token("__myscopes__ (user with the role): the role's scope too", userAssertion("supervisor", "urn:opc:idm:__myscopes__"),
                        claims -> assertTrue(IdcsDemo.scopes(claims).contains(FS + "/events"), claims.toString())),
                token("role.<name> held by client and service account: that role's scopes", clientCredentials("urn:opc:idm:role.field-service-admin"),
                        claims -> assertEquals(List.of(FS + "/events"), IdcsDemo.scopes(claims))),
                token("role.<name> held by client and user", userAssertion("supervisor", "urn:opc:idm:role.field-service-admin"),
                        claims -> assertEquals(List.of(FS + "/events"), IdcsDemo.scopes(claims))),
                token("role.<name> the user does not hold: none of that role's scopes (Oracle's Role1/Role3 example)",
                        userAssertion("technician", "urn:opc:idm:role.field-service-admin"),
                        claims -> assertFalse(IdcsDemo.scopes(claims).contains(FS + "/events"), claims.toString())),
                token("role.<name> and a scope the user has: only the latter", userAssertion("technician", "urn:opc:idm:role.field-service-admin "
                        + FS + "/use"),
                        claims -> assertEquals(List.of(FS + "/use"), IdcsDemo.scopes(claims))),
                refused("role.<name> the client does not hold", clientCredentials("urn:opc:idm:role.no-such-role"), "invalid_scope",
                        "Role no-such-role is not granted to this client"),
                // Account scope
                token("consumer::all alone: aud urn:opc:resource:scope:account, scope as requested", clientCredentials(CONSUMER_ALL),
                        claims -> {
                            assertEquals(List.of(ACCOUNT), IdcsDemo.audiences(claims));
                            assertEquals(List.of(CONSUMER_ALL), IdcsDemo.scopes(claims));
                        }),
                refused("consumer::all with a resource scope", clientCredentials(CONSUMER_ALL + " " + FS + "/use"), "invalid_scope", "alone"),
                refused("consumer::all with __myscopes__", clientCredentials(CONSUMER_ALL + " urn:opc:idm:__myscopes__"), "invalid_scope", "alone"),
                token("consumer::all for a user", userAssertion("technician", CONSUMER_ALL),
                        claims -> assertEquals(List.of(ACCOUNT), IdcsDemo.audiences(claims))),
                // Hierarchical scopes
                token("allowed paas::read, asks paas::read", clientCredentials(PAAS_READ),
                        claims -> {
                            assertEquals(List.of(PAAS_READ), IdcsDemo.scopes(claims));
                            assertEquals(List.of(ACCOUNT), IdcsDemo.audiences(claims));
                        }),
                token("allowed paas::read, asks paas:analytics::read: granted, named as asked",
                        clientCredentials("urn:opc:resource:consumer:paas:analytics::read"),
                        claims -> {
                            assertEquals(List.of("urn:opc:resource:consumer:paas:analytics::read"), IdcsDemo.scopes(claims));
                            assertEquals(List.of(ACCOUNT), IdcsDemo.audiences(claims));
                        }),
                refused("allowed paas::read, asks paas:analytics::write", clientCredentials("urn:opc:resource:consumer:paas:analytics::write"),
                        "invalid_scope", "directly or hierarchically"),
                refused("allowed paas::read, asks paas::write", clientCredentials("urn:opc:resource:consumer:paas::write"),
                        "invalid_scope", "directly or hierarchically"),
                refused("allowed paas::read, asks paasx::read (not a path segment)", clientCredentials("urn:opc:resource:consumer:paasx::read"),
                        "invalid_scope", "directly or hierarchically"),
                // User assertions
                token("user assertion, header kid (the certificate alias)", userAssertion("technician", FS + "/use"),
                        claims -> {
                            assertEquals("user", claims.get("sub_type").asText());
                            assertEquals(List.of(FS), IdcsDemo.audiences(claims));
                        }),
                token("user assertion, header x5t only", keycloak -> IdcsDemo.userToken(keycloak,
                        IdcsDemo.userAssertion("technician", KeyHint.X5T, IDCS_AUDIENCE, 300), FS + "/use"),
                        claims -> assertEquals("user", claims.get("sub_type").asText())),
                token("user assertion, aud a list holding IDCS's", keycloak -> IdcsDemo.userToken(keycloak,
                        IdcsDemo.userAssertion("technician", KeyHint.BOTH, List.of("https://tenant.identity.oraclecloud.com/", IDCS_AUDIENCE), 300),
                                FS + "/use"),
                        claims -> assertEquals("user", claims.get("sub_type").asText())),
                refused("user assertion, wrong aud", keycloak -> IdcsDemo.userToken(keycloak,
                        IdcsDemo.userAssertion("technician", KeyHint.KID, "https://example.com/", 300), FS + "/use"), "invalid_grant", "audience"),
                refused("user assertion, expired", keycloak -> IdcsDemo.userToken(keycloak,
                        IdcsDemo.userAssertion("technician", KeyHint.KID, IDCS_AUDIENCE, -120), FS + "/use"), "invalid_grant", "not active"),
                refused("user assertion, lives longer than 600 s", keycloak -> IdcsDemo.userToken(keycloak,
                        IdcsDemo.userAssertion("technician", KeyHint.KID, IDCS_AUDIENCE, 3600), FS + "/use"), "invalid_grant", "longer than 600 s"),
                refused("user assertion, unknown user", userAssertion("nobody-here", FS + "/use"), "invalid_grant", "User not found"),
                refused("user assertion, a service account as sub", userAssertion("service-account-idcs-integration", FS + "/use"),
                        "invalid_grant", "User not found"),
                token("client credentials: sub_type client, client_id, tok_type", clientCredentials(FS + "/view"),
                        claims -> {
                            assertEquals("client", claims.get("sub_type").asText());
                            assertEquals(IdcsDemo.CLIENT, claims.get("client_id").asText());
                            assertEquals("AT", claims.get("tok_type").asText());
                            assertTrue(claims.path("user_id").isMissingNode());
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oracleCases")
    void answersAsDocumented(Row row, Keycloak keycloak) {
        Http.Reply reply = row.request().apply(keycloak);
        if (row.error() == null) {
            assertEquals(200, reply.status(), reply.shown());
            JsonNode answer = reply.json();
            JsonNode claims = IdcsDemo.claims(answer.get("access_token").asText());
            assertEquals(claims.get("exp").asLong() - claims.get("iat").asLong(), answer.get("expires_in").asLong(), 2,
                    "expires_in says how long the token lives");
            row.token().accept(claims);
        } else {
            assertEquals(400, reply.status(), reply.shown());
            assertEquals(row.error(), reply.json().path("error").asText(), reply.shown());
            assertTrue(reply.json().path("error_description").asText().contains(row.descriptionPart()), reply.shown());
        }
    }
}
