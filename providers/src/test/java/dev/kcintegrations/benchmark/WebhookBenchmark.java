package dev.kcintegrations.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.ScratchRealm;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What webhook capture costs a login, and how fast the outbox drains. Three realms built alike by this
 * program, same server, same run, rounds interleaved: logins (password grant, one LOGIN event each) in a
 * realm without subscriptions; in one where 5 subscriptions match every login but their receiver is away
 * (rows are captured and held: the cost on the login's own path); and in one where 5 subscriptions match
 * and are delivered at once (capture plus the delivery work sharing the machine). Then delivery throughput
 * and event-to-delivery latency to a receiver on loopback.
 */
final class WebhookBenchmark {

    static final String PLAIN = "bench-no-subscriptions";
    static final String HELD = "bench-5-held-subscriptions";
    static final String SUBSCRIBED = "bench-5-subscriptions";

    private WebhookBenchmark() {
    }

    /** A receiver that answers 200 at once and notes when each event arrived and its timeStamp. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final Map<String, Long> latencyMillis = new ConcurrentHashMap<>();
        final AtomicInteger requests = new AtomicInteger();
        volatile long lastArrival;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                long now = System.currentTimeMillis();
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                requests.incrementAndGet();
                JsonNode event = Http.JSON.readTree(body);
                if (exchange.getRequestURI().getPath().startsWith("/held")
                        && !"subscription.verification".equals(event.path("eventType").asText())) {
                    // A receiver that is away for a day: its first event waits, the rest are held behind it.
                    exchange.getResponseHeaders().add("Retry-After", "86400");
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                if (event.has("timeStamp") && event.path("eventType").asText().startsWith("bench")) {
                    latencyMillis.put(event.get("id").asText() + "/" + exchange.getRequestURI().getPath(),
                            now - Instant.parse(event.get("timeStamp").asText()).toEpochMilli());
                    lastArrival = now;
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static Map<String, LoadRun.Result> loginCost(URI baseUrl, int workers, int rounds, int perRound, Receiver receiver) throws Exception {
        AdminApi admin = new AdminApi(baseUrl);
        ScratchRealm.create(admin, PLAIN);
        ScratchRealm.create(admin, HELD);
        ScratchRealm.create(admin, SUBSCRIBED);
        try {
            String held = clientToken(baseUrl, HELD);
            String token = clientToken(baseUrl, SUBSCRIBED);
            for (int i = 0; i < 5; i++) {
                subscribe(baseUrl, HELD, held, "bench-held-" + i, "keycloak.user", "LOGIN", receiver.url("/held" + i));
                subscribe(baseUrl, SUBSCRIBED, token, "bench-login-" + i, "keycloak.user", "LOGIN", receiver.url("/login" + i));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            Map<String, HttpRequest> cases = new LinkedHashMap<>();
            cases.put("login, 0 subscriptions", login(baseUrl, PLAIN));
            cases.put("login, 5 held", login(baseUrl, HELD));
            cases.put("login, 5 delivered", login(baseUrl, SUBSCRIBED));
            return Interleaved.run(http, cases, workers, rounds, perRound);
        } finally {
            admin.delete("/" + PLAIN);
            admin.delete("/" + HELD);
            admin.delete("/" + SUBSCRIBED);
        }
    }

    record Drain(String name, int events, int subscriptions, int delivered, double seconds, long p50, long p99, String published) {
        double eventsPerSecond() {
            return delivered / seconds;
        }
    }

    /** Publishes {@code events} test events to {@code subscriptions} subscriptions and waits until all arrived. */
    static Drain drain(URI baseUrl, int events, int subscriptions, Receiver receiver) throws Exception {
        return drain(baseUrl, events, subscriptions, 0, receiver);
    }

    /** @param perSecond 0: publish as fast as 4 workers can; else at that pace (lag without a backlog) */
    static Drain drain(URI baseUrl, int events, int subscriptions, int perSecond, Receiver receiver) throws Exception {
        return drain(List.of(baseUrl), events, subscriptions, perSecond, receiver, realm -> { });
    }

    /**
     * @param nodes   event {@code i} is published on node {@code i % nodes.size()}; the first one sets up the realm
     * @param inspect called with the realm's name once everything arrived, before the realm is deleted
     */
    static Drain drain(List<URI> nodes, int events, int subscriptions, int perSecond, Receiver receiver,
                       Consumer<String> inspect) throws Exception {
        URI baseUrl = nodes.get(0);
        AdminApi admin = new AdminApi(baseUrl);
        String realm = "bench-drain-" + subscriptions;
        ScratchRealm.create(admin, realm);
        try {
            String token = clientToken(baseUrl, realm);
            for (int i = 0; i < subscriptions; i++) {
                subscribe(baseUrl, realm, token, "bench-drain-" + i, "public.test", ".*", receiver.url("/drain" + subscriptions + "-" + i));
            }
            receiver.latencyMillis.clear();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<URI> publish = nodes.stream().map(node -> node.resolve("/realms/" + realm + "/events/v4/topics/public.test/events")).toList();
            long started = System.currentTimeMillis();
            LoadRun.run("publish", 4, events, i -> {
                try {
                    if (perSecond > 0) {
                        long due = started + i * 1000L / perSecond;
                        long wait = due - System.currentTimeMillis();
                        if (wait > 0) {
                            Thread.sleep(wait);
                        }
                    }
                    return http.send(HttpRequest.newBuilder(publish.get(i % publish.size())).header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"eventType\":\"bench" + i + "\"}")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 202;
                } catch (Exception e) {
                    return false;
                }
            });
            int expected = events * subscriptions;
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(10).toMillis();
            while (receiver.latencyMillis.size() < expected && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            List<Long> latencies = new ArrayList<>(receiver.latencyMillis.values());
            latencies.sort(Long::compare);
            double seconds = (receiver.lastArrival - started) / 1000.0;
            inspect.accept(realm);
            return new Drain(subscriptions + " subscription(s)", events, subscriptions, latencies.size(), seconds,
                    percentile(latencies, 0.50), percentile(latencies, 0.99),
                    (perSecond == 0 ? "flat out, 4 workers" : perSecond + " events/s") + (nodes.size() > 1 ? ", on " + nodes.size() + " nodes" : ""));
        } finally {
            admin.delete("/" + realm);
        }
    }

    static void printDrain(List<Drain> drains) {
        System.out.printf(Locale.ROOT, "%nWebhook delivery: test events drained to a receiver on loopback (lag: event time to arrival)%n");
        System.out.printf(Locale.ROOT, "| %-20s | %-20s | %8s | %9s | %10s | %12s | %12s | %10s |%n",
                "case", "published", "events", "delivered", "events/s", "p50 lag ms", "p99 lag ms", "events/s ×");
        System.out.println("|----------------------|----------------------|----------|-----------|------------|--------------|--------------|------------|");
        Drain base = drains.get(0);
        drains.forEach(d -> System.out.printf(Locale.ROOT, "| %-20s | %-20s | %8d | %9d | %10.1f | %12d | %12d | %10.3f |%n",
                d.name(), d.published(), d.events() * d.subscriptions(), d.delivered(), d.eventsPerSecond(), d.p50(), d.p99(),
                d.eventsPerSecond() / base.eventsPerSecond()));
    }

    static long percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** A client-credentials token of the scratch realm's subscribing application. */
    static String clientToken(URI baseUrl, String realm) {
        return clientToken(baseUrl, realm, ScratchRealm.APP);
    }

    static String clientToken(URI baseUrl, String realm, String clientId) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + ScratchRealm.APP_SECRET).getBytes(StandardCharsets.UTF_8));
        return Http.post(baseUrl.resolve("/realms/" + realm + "/protocol/openid-connect/token"),
                Map.of("Authorization", "Basic " + basic, "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials").json().get("access_token").asText();
    }

    /**
     * A subscription in total order ({@code ordering: subscription}, one POST in flight): the drains and
     * preloaded drains check the order per subscription, and their figures compare with runs made before
     * orderings existed. {@link LatencyDrainBenchmark} measures the per-subject order.
     */
    static void subscribe(URI baseUrl, String realm, String token, String id, String topic, String filter, String endpoint) {
        ObjectNode body = Http.JSON.createObjectNode().put("id", id).put("filter", filter).put("topic", topic);
        body.putObject("webHookConfig").put("endpoint", endpoint).put("ordering", "subscription");
        Http.Reply reply = Http.send("PUT", baseUrl.resolve("/realms/" + realm + "/events/v4/subscriptions/webhook"),
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), body.toString().getBytes(StandardCharsets.UTF_8));
        if (reply.status() != 200) {
            throw new IllegalStateException("Could not subscribe: " + reply.body());
        }
    }

    private static HttpRequest login(URI baseUrl, String realm) {
        return HttpRequest.newBuilder(baseUrl.resolve("/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=bench-login&username=bench&password=bench"))
                .timeout(Duration.ofSeconds(30)).build();
    }
}
