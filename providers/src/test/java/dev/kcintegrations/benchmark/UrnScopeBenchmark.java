package dev.kcintegrations.benchmark;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.AdminApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the URN rules (client policy executor and audience mapper) cost. Client-credentials tokens for the
 * same client, same server, same run:
 * <ul>
 *   <li>a URN-scoped request;</li>
 *   <li>the baseline: a request for an equivalent stock optional scope that carries Keycloak's own audience
 *       mapper with the same audience (what stock Keycloak does for an audience-bearing scope), so that
 *       the ratio isolates the URN rules from Keycloak's own cost of processing a requested scope;</li>
 *   <li>a request without scopes, for scale.</li>
 * </ul>
 */
final class UrnScopeBenchmark {

    private static final String CLIENT = "field-service-integration";
    private static final String SECRET = "FieldServiceDemoSecret-01";
    private static final String SCOPE = "urn:opc:resource:fusion:demo01:field-service-common/use";

    private UrnScopeBenchmark() {
    }

    static final String STOCK_SCOPE = "bench.stock-audience";

    static Map<String, LoadRun.Result> run(URI baseUrl, int workers, int rounds, int perRound) throws Exception {
        AdminApi admin = new AdminApi(baseUrl);
        String scopeId = declareStockScope(admin);
        try {
            return measure(baseUrl, workers, rounds, perRound);
        } finally {
            admin.delete("/integrations/client-scopes/" + scopeId);
        }
    }

    /** A stock optional scope with Keycloak's audience mapper naming the same audience, given to the client. */
    private static String declareStockScope(AdminApi admin) {
        ObjectNode rep = admin.object().put("name", STOCK_SCOPE).put("protocol", "openid-connect");
        rep.putObject("attributes").put("include.in.token.scope", "true");
        ObjectNode mapper = rep.putArray("protocolMappers").addObject().put("name", "audience")
                .put("protocol", "openid-connect").put("protocolMapper", "oidc-audience-mapper");
        mapper.putObject("config").put("included.custom.audience", "urn:opc:resource:fusion:demo01:field-service-common")
                .put("access.token.claim", "true");
        String scopeId = admin.create("/integrations/client-scopes", rep);
        admin.put("/integrations/clients/" + admin.clientUuid("integrations", CLIENT) + "/optional-client-scopes/" + scopeId, null);
        return scopeId;
    }

    private static Map<String, LoadRun.Result> measure(URI baseUrl, int workers, int rounds, int perRound) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI endpoint = baseUrl.resolve("/realms/integrations/protocol/openid-connect/token");
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        Map<String, HttpRequest> cases = new LinkedHashMap<>();
        cases.put("URN-scoped request", request(endpoint, basic,
                "grant_type=client_credentials&scope=" + URLEncoder.encode(SCOPE, StandardCharsets.UTF_8)));
        cases.put("stock audience scope", request(endpoint, basic, "grant_type=client_credentials&scope=" + STOCK_SCOPE));
        cases.put("no scope", request(endpoint, basic, "grant_type=client_credentials"));
        return Interleaved.run(http, cases, workers, rounds, perRound);
    }

    private static HttpRequest request(URI uri, String authorization, String body) {
        return HttpRequest.newBuilder(uri).header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build();
    }
}
