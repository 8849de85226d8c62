package dev.kcintegrations.idcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The IDCS clients of realm-config, and assertions signed as an IDCS client signs them: with the demo client's
 * private key, by nimbus-jose-jwt (an independent JOSE library, not Keycloak's).
 */
final class IdcsDemo {
    static final String REALM = "integrations";
    static final String CLIENT = "idcs-integration";
    static final String SECRET = "IdcsDemoSecret-01";
    static final String SIGNED_CLIENT = "idcs-signed-client";
    static final String KID = "idcs-integration-cert";
    static final String IDCS_AUDIENCE = "https://identity.oraclecloud.com/";
    static final String FS = "urn:opc:resource:fusion:demo01:field-service-common";
    static final String ACCOUNT = "urn:opc:resource:scope:account";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private static final Path DEMO = Path.of(System.getProperty("project.root", "..")).resolve("realm-config/idcs-demo");

    private IdcsDemo() {
    }

    /** The demo client's key pair, as an IDCS client keeps it. */
    static RSAKey key() {
        try {
            String pem = Files.readString(DEMO.resolve("idcs-integration.key.pem"))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            return new RSAKey.Builder((RSAPublicKey) certificate().getPublicKey()).privateKey(privateKey).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static X509Certificate certificate() {
        try (var in = Files.newInputStream(DEMO.resolve("idcs-integration.cert.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** base64url SHA-1 of the certificate's DER: the {@code x5t} IDCS clients send. */
    static String x5t() {
        try {
            return Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(certificate().getEncoded())).toString();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** How the header names the key. */
    enum KeyHint { KID, X5T, BOTH }

    /** A user assertion as IDCS documents it; {@code lifetime} from now, {@code iat} now. */
    static String userAssertion(String username, KeyHint hint, Object audience, long lifetimeSeconds) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(CLIENT).subject(username).jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(lifetimeSeconds)));
        if (audience instanceof List<?> list) {
            claims.audience(list.stream().map(Object::toString).toList());
        } else {
            claims.audience(audience.toString());
        }
        return sign(claims.build(), hint, key());
    }

    static String userAssertion(String username) {
        return userAssertion(username, KeyHint.KID, IDCS_AUDIENCE, 300);
    }

    @SuppressWarnings("deprecation") // x5t (SHA-1) is what IDCS clients send
    static String sign(JWTClaimsSet claims, KeyHint hint, RSAKey key) {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT);
        if (hint != KeyHint.X5T) {
            header.keyID(KID);
        }
        if (hint != KeyHint.KID) {
            header.x509CertThumbprint(new Base64URL(x5t()));
        }
        try {
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    static URI tokenEndpoint(Keycloak keycloak) {
        return keycloak.realmUrl(REALM, "/protocol/openid-connect/token");
    }

    static String form(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** A request of the IDCS client with HTTP Basic, as P6 and Field Service send it. */
    static Http.Reply basic(Keycloak keycloak, URI endpoint, String body) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        return Http.post(endpoint, Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), body);
    }

    static Http.Reply clientCredentials(Keycloak keycloak, String scope) {
        return basic(keycloak, tokenEndpoint(keycloak), form("grant_type", "client_credentials", "scope", scope));
    }

    static Http.Reply userToken(Keycloak keycloak, String assertion, String scope) {
        return basic(keycloak, tokenEndpoint(keycloak), form("grant_type", JWT_BEARER, "assertion", assertion, "scope", scope));
    }

    static JsonNode claims(String jwt) {
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode accessClaims(Http.Reply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("expected a token, got " + reply.status() + " " + reply.body());
        }
        return claims(reply.json().get("access_token").asText());
    }

    static List<String> audiences(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        return aud.isArray() ? StreamSupport.stream(aud.spliterator(), false).map(JsonNode::asText).toList()
                : aud.isMissingNode() ? List.of() : List.of(aud.asText());
    }

    static List<String> scopes(JsonNode claims) {
        return List.of(claims.path("scope").asText().split(" "));
    }
}
