package dev.kcintegrations.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code getAccessTokenByScope} costs. For the demo technician's session, same server, same run:
 * <ul>
 *   <li>the plugin API call (bearer check, URN rules, a token exchange through Keycloak's grant);</li>
 *   <li>the baseline: Keycloak's refresh-token grant for the same public plugin client and session, the
 *       cheapest stock way to get a new session-bound user token.</li>
 * </ul>
 * The realm's access-token lifespan is raised for the run (the user's bearer must outlive it) and restored.
 */
final class PluginExchangeBenchmark {

    static final String REALM = "integrations";
    static final String PLUGIN = "field-service-plugin";
    static final String SCOPE = "urn:opc:resource:fusion:demo01:field-service-common/use";

    private PluginExchangeBenchmark() {
    }

    static Map<String, LoadRun.Result> run(URI baseUrl, int workers, int rounds, int perRound) throws Exception {
        AdminApi admin = new AdminApi(baseUrl);
        JsonNode realm = admin.get("/" + REALM);
        int lifespan = realm.get("accessTokenLifespan").asInt();
        admin.put("/" + REALM, admin.object().put("realm", REALM).put("accessTokenLifespan", 3600));
        try {
            JsonNode signIn = Http.post(baseUrl.resolve("/realms/" + REALM + "/protocol/openid-connect/token"),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"),
                    "grant_type=password&client_id=" + PLUGIN + "&username=technician&password=technician&scope=openid").json();
            String userToken = signIn.get("access_token").asText();
            String refreshToken = signIn.get("refresh_token").asText();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            Map<String, HttpRequest> cases = new LinkedHashMap<>();
            cases.put("plugin-api by scope", HttpRequest.newBuilder(baseUrl.resolve("/realms/" + REALM + "/plugin-api"))
                    .header("Authorization", "Bearer " + userToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":1,\"method\":\"callProcedure\",\"callId\":\"bench\","
                            + "\"procedure\":\"getAccessTokenByScope\",\"params\":{\"scope\":\"" + SCOPE + "\"}}"))
                    .timeout(Duration.ofSeconds(30)).build());
            cases.put("refresh-token grant", HttpRequest.newBuilder(baseUrl.resolve("/realms/" + REALM + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id=" + PLUGIN + "&refresh_token=" + refreshToken))
                    .timeout(Duration.ofSeconds(30)).build());
            return Interleaved.run(http, cases, workers, rounds, perRound);
        } finally {
            admin.put("/" + REALM, admin.object().put("realm", REALM).put("accessTokenLifespan", lifespan));
        }
    }
}
