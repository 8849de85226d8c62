package dev.kcintegrations.benchmark;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Client-credentials tokens for a URN-scoped request against a request without scopes, same client, same
 * server, same run: what the URN rules (client policy executor and audience mapper) cost.
 */
final class UrnScopeBenchmark {

    private static final String CLIENT = "field-service-integration";
    private static final String SECRET = "FieldServiceDemoSecret-01";
    private static final String SCOPE = "urn:opc:resource:fusion:demo01:field-service-common/use";

    private UrnScopeBenchmark() {
    }

    static Map<String, LoadRun.Result> run(URI baseUrl, int workers, int rounds, int perRound) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI endpoint = baseUrl.resolve("/realms/integrations/protocol/openid-connect/token");
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        Map<String, HttpRequest> cases = new LinkedHashMap<>();
        cases.put("URN-scoped request", request(endpoint, basic,
                "grant_type=client_credentials&scope=" + URLEncoder.encode(SCOPE, StandardCharsets.UTF_8)));
        cases.put("plain request", request(endpoint, basic, "grant_type=client_credentials"));
        return Interleaved.run(http, cases, workers, rounds, perRound);
    }

    private static HttpRequest request(URI uri, String authorization, String body) {
        return HttpRequest.newBuilder(uri).header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build();
    }
}
