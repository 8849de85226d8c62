package dev.kcintegrations.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Client-credentials throughput and latency of {@code oauth-compat/token} against Keycloak's standard
 * token endpoint for the same client, on the same server in the same run. Rounds alternate between the
 * endpoints so that JIT warm-up and machine noise fall on both alike.
 */
final class CalloutTokenBenchmark {

    private static final String CLIENT = "coupa-callout";
    private static final String SECRET = "CalloutDemo~Secret>01";

    private CalloutTokenBenchmark() {
    }

    /** @return results by name: "oauth-compat", "standard endpoint" */
    static Map<String, LoadRun.Result> run(URI baseUrl, int workers, int rounds, int perRound) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String urlSafe = "Basic " + Base64.getUrlEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        String standard = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        HttpRequest compat = request(baseUrl.resolve("/realms/integrations/oauth-compat/token"), urlSafe);
        HttpRequest stock = request(baseUrl.resolve("/realms/integrations/protocol/openid-connect/token"), standard);

        Map<String, HttpRequest> cases = new LinkedHashMap<>();
        cases.put("oauth-compat", compat);
        cases.put("standard endpoint", stock);
        return Interleaved.run(http, cases, workers, rounds, perRound);
    }

    private static HttpRequest request(URI uri, String authorization) {
        return HttpRequest.newBuilder(uri)
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .timeout(Duration.ofSeconds(30))
                .build();
    }
}
