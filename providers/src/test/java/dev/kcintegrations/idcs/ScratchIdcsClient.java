package dev.kcintegrations.idcs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/** A copy of the demo's {@code idcs-integration} (same certificate and kid) for a test to change, deleted after. */
record ScratchIdcsClient(AdminApi admin, String clientId, String uuid) implements AutoCloseable {

    static final String SECRET = "ScratchIdcsSecret-01";

    static ScratchIdcsClient create(AdminApi admin, Consumer<ObjectNode> customise) {
        ObjectNode rep = (ObjectNode) admin.get("/" + IdcsDemo.REALM + "/clients/" + admin.clientUuid(IdcsDemo.REALM, IdcsDemo.CLIENT)).deepCopy();
        String clientId = "idcs-scratch-" + UUID.randomUUID().toString().substring(0, 8);
        rep.remove("id");
        rep.put("clientId", clientId).put("secret", SECRET);
        rep.get("protocolMappers").forEach(m -> ((ObjectNode) m).remove("id"));
        rep.putArray("defaultClientScopes").add("basic");
        rep.putArray("optionalClientScopes").add(IdcsDemo.FS + "/use");
        customise.accept(rep);
        return new ScratchIdcsClient(admin, clientId, admin.create("/" + IdcsDemo.REALM + "/clients", rep));
    }

    private Http.Reply post(Keycloak keycloak, String body) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        return Http.post(IdcsDemo.tokenEndpoint(keycloak), Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), body);
    }

    /** A user assertion for technician, signed with the demo certificate's key this copy shares, issued by this client. */
    Http.Reply userToken(Keycloak keycloak, String scope) {
        Instant now = Instant.now();
        String assertion = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(clientId).subject("technician")
                .audience(IdcsDemo.IDCS_AUDIENCE).jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).build(), IdcsDemo.KeyHint.KID, IdcsDemo.key());
        return post(keycloak, IdcsDemo.form("grant_type", IdcsDemo.JWT_BEARER, "assertion", assertion, "scope", scope));
    }

    /** An assertion whose signature is junk: what a caller without the client's key could send. */
    Http.Reply userTokenUnsigned(Keycloak keycloak, String username, String scope) {
        Instant now = Instant.now();
        String signed = IdcsDemo.sign(new JWTClaimsSet.Builder().issuer(clientId).subject(username)
                .audience(IdcsDemo.IDCS_AUDIENCE).jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300))).build(), IdcsDemo.KeyHint.KID, IdcsDemo.key());
        String forged = signed.substring(0, signed.lastIndexOf('.') + 1) + "AAAA";
        return post(keycloak, IdcsDemo.form("grant_type", IdcsDemo.JWT_BEARER, "assertion", forged, "scope", scope));
    }

    Http.Reply password(Keycloak keycloak, String username, String password, String scope) {
        return post(keycloak, IdcsDemo.form("grant_type", "password", "username", username, "password", password, "scope", scope));
    }

    Http.Reply refresh(Keycloak keycloak, String refreshToken) {
        return post(keycloak, IdcsDemo.form("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    Http.Reply clientCredentials(Keycloak keycloak, String scope) {
        return post(keycloak, IdcsDemo.form("grant_type", "client_credentials", "scope", scope));
    }

    @Override
    public void close() {
        admin.delete("/" + IdcsDemo.REALM + "/clients/" + uuid);
    }
}
