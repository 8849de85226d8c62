package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The URN scope demo of realm-config, and how tests ask for tokens. */
final class UrnDemo {
    static final String REALM = "integrations";
    static final String FS = "urn:opc:resource:fusion:demo01:field-service-common";
    static final String FA = "urn:opc:resource:faaas:fa:demo01";
    static final String FA_ALL = FA + "urn:opc:resource:consumer::all";
    static final String INTEGRATION = "field-service-integration";
    static final String INTEGRATION_SECRET = "FieldServiceDemoSecret-01";
    static final String PLUGIN = "field-service-plugin";

    private UrnDemo() {
    }

    static URI tokenEndpoint(Keycloak keycloak) {
        return keycloak.realmUrl(REALM, "/protocol/openid-connect/token");
    }

    /** A form body; parameters with an empty value are left out, as a client leaves out an unset scope. */
    static String form(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> params(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static Http.Reply clientCredentials(Keycloak keycloak, String clientId, String secret, String body) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return Http.post(tokenEndpoint(keycloak), Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"), body);
    }

    static Http.Reply integration(Keycloak keycloak, String scope) {
        return clientCredentials(keycloak, INTEGRATION, INTEGRATION_SECRET, form(params("grant_type", "client_credentials", "scope", scope)));
    }

    static Http.Reply password(Keycloak keycloak, String scope) {
        return Http.post(tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form(params("grant_type", "password", "client_id", PLUGIN, "username", "technician", "password", "technician", "scope", scope)));
    }

    /** The claims of a JWT, read without verifying (verification is the callout tests' business). */
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
        JsonNode aud = claims.get("aud");
        List<String> list = new ArrayList<>();
        if (aud == null) {
            return list;
        }
        if (aud.isTextual()) {
            list.add(aud.asText());
        } else {
            aud.forEach(a -> list.add(a.asText()));
        }
        return list;
    }

    static Set<String> scopes(JsonNode claims) {
        return new TreeSet<>(List.of(claims.get("scope").asText().split(" ")));
    }

    static void assertRefused(Http.Reply reply, String error, String descriptionPart) {
        assertEquals(400, reply.status(), reply.shown());
        assertEquals(error, reply.json().get("error").asText(), reply.shown());
        assertTrue(reply.json().get("error_description").asText().contains(descriptionPart), reply.shown());
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ObjectNode object(Keycloak keycloak) {
        return keycloak.admin().object();
    }
}
