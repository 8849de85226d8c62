package dev.kcintegrations.idcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.kcintegrations.idcs.IdcsDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an IDCS tool derives from a base URL answers as the realm's real endpoint does, and a client assertion
 * naming its certificate by {@code x5t} alone authenticates.
 */
@KeycloakIntegrationTest
class IdcsEndpointsIT {

    private static URI alias(Keycloak keycloak, String path) {
        return keycloak.realmUrl(IdcsDemo.REALM, "/idcs" + path);
    }

    @Test
    void theTokenAliasIssuesWhatTheTokenEndpointIssues(Keycloak keycloak) {
        String body = IdcsDemo.form("grant_type", "client_credentials", "scope", "urn:opc:resource:expiry=120 " + FS + "/use");
        JsonNode viaAlias = IdcsDemo.accessClaims(IdcsDemo.basic(keycloak, alias(keycloak, "/oauth2/v1/token"), body));
        JsonNode direct = IdcsDemo.accessClaims(IdcsDemo.basic(keycloak, IdcsDemo.tokenEndpoint(keycloak), body));
        for (String claim : new String[]{"iss", "aud", "azp", "scope", "sub", "sub_type", "client_id", "tok_type"}) {
            assertEquals(direct.get(claim), viaAlias.get(claim), claim);
        }
        assertEquals(120, viaAlias.get("exp").asLong() - viaAlias.get("iat").asLong());
    }

    @Test
    void theTokenAliasRefusesAsTheTokenEndpointRefuses(Keycloak keycloak) {
        String body = IdcsDemo.form("grant_type", IdcsDemo.JWT_BEARER, "assertion", IdcsDemo.userAssertion("nobody-here"), "scope", FS + "/use");
        Http.Reply viaAlias = IdcsDemo.basic(keycloak, alias(keycloak, "/oauth2/v1/token"), body);
        assertEquals(400, viaAlias.status(), viaAlias.shown());
        assertEquals("invalid_grant", viaAlias.json().get("error").asText());
        Http.Reply wrongSecret = Http.post(alias(keycloak, "/oauth2/v1/token"), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                IdcsDemo.form("grant_type", "client_credentials", "client_id", IdcsDemo.CLIENT, "client_secret", "wrong"));
        Http.Reply wrongSecretDirect = Http.post(IdcsDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                IdcsDemo.form("grant_type", "client_credentials", "client_id", IdcsDemo.CLIENT, "client_secret", "wrong"));
        assertEquals(wrongSecretDirect.status(), wrongSecret.status());
        assertEquals(wrongSecretDirect.json(), wrongSecret.json());
        assertEquals("no-store", wrongSecret.header("Cache-Control").orElse(""));
    }

    @Test
    void aBodyTheFormParserCannotTakeIsAFourHundredOnTheAlias(Keycloak keycloak) {
        for (String body : List.of("grant_type=client_credentials&scope=%zz", "a=" + "&b=".repeat(200))) {
            Http.Reply reply = Http.post(alias(keycloak, "/oauth2/v1/token"), Map.of("Content-Type", "application/x-www-form-urlencoded"), body);
            assertEquals(400, reply.status(), reply.shown());
            assertEquals("invalid_request", reply.json().path("error").asText(), reply.shown());
        }
    }

    @Test
    void theSigningCertAliasIsTheRealmsJwks(Keycloak keycloak) {
        Http.Reply viaAlias = Http.get(alias(keycloak, "/admin/v1/SigningCert/jwk"), Map.of());
        Http.Reply certs = Http.get(keycloak.realmUrl(IdcsDemo.REALM, "/protocol/openid-connect/certs"), Map.of());
        assertEquals(200, viaAlias.status(), viaAlias.shown());
        assertEquals(certs.json(), viaAlias.json());
        assertTrue(viaAlias.json().get("keys").get(0).has("x5t"), "IDCS clients read x5t from it");
    }

    @Test
    void aClientAssertionNamingItsCertificateByX5tAloneAuthenticates(Keycloak keycloak) {
        Instant now = Instant.now();
        String assertion = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(IdcsDemo.SIGNED_CLIENT).subject(IdcsDemo.SIGNED_CLIENT)
                .audience(keycloak.realmUrl(IdcsDemo.REALM, "").toString()).jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).build(), IdcsDemo.KeyHint.X5T, IdcsDemo.key());
        Http.Reply reply = Http.post(IdcsDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                IdcsDemo.form("grant_type", "client_credentials", "scope", FS + "/view",
                        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", assertion));
        JsonNode claims = IdcsDemo.accessClaims(reply);
        assertEquals(IdcsDemo.SIGNED_CLIENT, claims.get("client_id").asText());
    }
}
