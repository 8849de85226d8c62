package dev.kcintegrations.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issue 13's figures: a backlog built up while the receiver is away, then drained once it is back, per
 * backlog size and number of subscriptions; and the ceiling, the same receiver driven by a bare loop of
 * signed POSTs from this JVM, one on the wire at a time as one subscription's deliveries are. Each drain
 * checks order per subscription and counts duplicates and losses.
 * <p>
 * Needs a server whose retry schedule is short ({@code retry-schedule=1s}, as {@link Benchmarks} starts it),
 * so that the held head is tried again within a second of the receiver's return.
 */
final class PreloadedDrainBenchmark {

    private static final boolean PROFILE = Boolean.getBoolean("bench.profile");

    private PreloadedDrainBenchmark() {
    }

    /**
     * @param statements        database statements while the backlog drained, -1 when not counted
     * @param captureStatements database statements while it was published (the API call, the capture)
     */
    record Result(String name, int rows, int delivered, int duplicates, int outOfOrder, int lost, double preloadSeconds,
                  double drainSeconds, long statements, long captureStatements) {
        double rate() {
            return delivered / drainSeconds;
        }

        double statementsPerDelivery() {
            return statements < 0 || delivered == 0 ? Double.NaN : (double) statements / delivered;
        }
    }

    /** Refuses every event (503) until opened; then answers 204 and records, per path, the order of arrival. */
    static final class AwayReceiver implements AutoCloseable {
        final HttpServer server;
        volatile boolean open;
        /** Paths that answer 503 even when open: receivers that stay down. */
        volatile Set<String> down = Set.of();
        final Map<String, List<Integer>> arrivals = new ConcurrentHashMap<>();
        final Map<String, Set<String>> ids = new ConcurrentHashMap<>();
        final AtomicInteger delivered = new AtomicInteger();
        volatile long lastArrival;
        volatile long firstArrival;
        /** Arrival times (ns), kept for {@code -Dbench.profile}: where a drain's time goes, second by second. */
        final Queue<Long> times = new ConcurrentLinkedQueue<>();

        AwayReceiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 500);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                JsonNode event = Http.JSON.readTree(body);
                String type = event.path("eventType").asText();
                if (type.startsWith("p") && type.length() > 1 && Character.isDigit(type.charAt(1))) {
                    if (!open || down.contains(exchange.getRequestURI().getPath())) {
                        exchange.sendResponseHeaders(503, -1);
                        exchange.close();
                        return;
                    }
                    String path = exchange.getRequestURI().getPath();
                    synchronized (this) {
                        arrivals.computeIfAbsent(path, p -> new ArrayList<>()).add(Integer.parseInt(type.substring(1)));
                        ids.computeIfAbsent(path, p -> new HashSet<>()).add(event.path("id").asText());
                    }
                    if (delivered.incrementAndGet() == 1) {
                        firstArrival = System.nanoTime();
                    }
                    lastArrival = System.nanoTime();
                    if (PROFILE) {
                        times.add(lastArrival);
                    }
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

    /** Counts the database statements of a run (PostgreSQL's pg_stat_statements), or nothing. */
    interface Statements {
        Statements NONE = new Statements() {
            public void reset() {
            }

            public long count() {
                return -1;
            }
        };

        void reset();

        long count();
    }

    /**
     * Drains of one shape until the rate settles: within {@value #SETTLED} of the one before, at least
     * {@value #MIN_WARM_UPS} times, at most {@value #MAX_WARM_UPS} times. Two are not enough: a node started for
     * a round drained 4,707 then 4,429/s, which looked settled, and such drains reach ~6,300/s from the third on. A Keycloak JVM keeps compiling for
     * tens of thousands of deliveries (its C2
     * threads took a quarter of a core and more in drains after a single warm-up drain), and a drain measured
     * meanwhile shows the compiler, not the engine. Prints the rates, so a run shows how it warmed up.
     */
    static List<Double> warmUp(String what, List<URI> nodes, int perSubscription, int subscriptions, int applications) throws Exception {
        List<Double> rates = new ArrayList<>();
        while (rates.size() < MAX_WARM_UPS) {
            rates.add(drain(nodes, perSubscription, subscriptions, applications, Statements.NONE, 0).rate());
            int n = rates.size();
            if (n >= MIN_WARM_UPS && Math.abs(rates.get(n - 1) - rates.get(n - 2)) <= SETTLED * rates.get(n - 2)) {
                break;
            }
        }
        System.out.printf(Locale.ROOT, "warm-up, %s: %s events/s%n", what,
                String.join(", ", rates.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList()));
        return rates;
    }

    static final double SETTLED = 0.10;
    static final int MIN_WARM_UPS = 3;
    static final int MAX_WARM_UPS = 8;

    static Result drain(URI baseUrl, int perSubscription, int subscriptions) throws Exception {
        return drain(baseUrl, perSubscription, subscriptions, 1, Statements.NONE, 0);
    }

    static Result drain(URI baseUrl, int perSubscription, int subscriptions, int applications, Statements statements) throws Exception {
        return drain(baseUrl, perSubscription, subscriptions, applications, statements, 0);
    }

    /**
     * {@code perSubscription} test events published in order by one worker while the receiver is away, each
     * captured for {@code subscriptions} subscriptions spread over {@code applications} applications (each
     * publishes every event once, to its own subscriptions); then the receiver comes back.
     */
    /** @param down how many of the subscriptions' receivers stay down (503) after the others come back */
    static Result drain(URI baseUrl, int perSubscription, int subscriptions, int applications, Statements statements, int down)
            throws Exception {
        return drain(List.of(baseUrl), perSubscription, subscriptions, applications, statements, down);
    }

    /** @param nodes event {@code i} is published on node {@code i % nodes.size()}; the first one sets the realm up */
    static Result drain(List<URI> nodes, int perSubscription, int subscriptions, int applications, Statements statements, int down)
            throws Exception {
        return drain(nodes, perSubscription, subscriptions, applications, statements, down, realm -> { });
    }

    /** @param inspect with {@code -Dbench.profile}, given the realm's name after the drain, before it is deleted */
    static Result drain(List<URI> nodes, int perSubscription, int subscriptions, int applications, Statements statements, int down,
                        Consumer<String> inspect) throws Exception {
        URI baseUrl = nodes.get(0);
        AdminApi admin = new AdminApi(baseUrl);
        String realm = "bench-preload-" + subscriptions + "x" + perSubscription + (down > 0 ? "-down" : "");
        ScratchRealm.create(admin, realm);
        List<String> clients = List.of(ScratchRealm.APP, ScratchRealm.SECOND_APP).subList(0, applications);
        try (AwayReceiver receiver = new AwayReceiver()) {
            String[] tokens = new String[applications];
            for (int a = 0; a < applications; a++) {
                tokens[a] = WebhookBenchmark.clientToken(baseUrl, realm, clients.get(a));
            }
            for (int s = 0; s < subscriptions; s++) {
                WebhookBenchmark.subscribe(baseUrl, realm, tokens[s % applications], "preload-" + s, "public.test", ".*",
                        receiver.url("/preload-" + s));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<URI> publish = nodes.stream().map(node -> node.resolve("/realms/" + realm + "/events/v4/topics/public.test/events")).toList();
            statements.reset();
            long preloadStarted = System.nanoTime();
            for (int i = 0; i < perSubscription; i++) {
                for (int a = 0; a < applications; a++) {
                    if (i % 1000 == 999) {
                        tokens[a] = WebhookBenchmark.clientToken(baseUrl, realm, clients.get(a)); // a long preload outlives one token
                    }
                    int status = http.send(HttpRequest.newBuilder(publish.get(i % publish.size())).header("Authorization", "Bearer " + tokens[a])
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"eventType\":\"p" + i + "\"}")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status != 202) {
                        throw new IllegalStateException("publishing event " + i + " answered " + status);
                    }
                }
            }
            double preloadSeconds = (System.nanoTime() - preloadStarted) / 1e9;
            int rows = perSubscription * (subscriptions - down);
            Set<String> downPaths = new HashSet<>();
            for (int s = 0; s < down; s++) {
                downPaths.add("/preload-" + s);
            }
            receiver.down = downPaths;
            long opened = System.nanoTime();
            long captureStatements = statements.count();
            CpuSample cpuBefore = PROFILE ? CpuSample.take() : null;
            if (PROFILE) {
                CpuSample.startRecordings();
            }
            receiver.open = true;
            long deadline = opened + Duration.ofMinutes(15).toNanos();
            int seen = -1;
            long quietSince = System.nanoTime();
            // Until every row arrived, or nothing new came for 30 s (then the rest are counted lost).
            while (System.nanoTime() < deadline && distinct(receiver) < rows && System.nanoTime() - quietSince < 30e9) {
                Thread.sleep(100);
                int now = receiver.delivered.get();
                if (now != seen) {
                    seen = now;
                    quietSince = System.nanoTime();
                }
            }
            int distinct = distinct(receiver);
            if (PROFILE) {
                int[] perTenth = new int[(int) ((receiver.lastArrival - receiver.firstArrival) / 100_000_000L) + 1];
                for (long t : receiver.times) {
                    perTenth[(int) ((t - receiver.firstArrival) / 100_000_000L)]++;
                }
                System.out.println(realm + " arrivals per 100 ms: " + Arrays.toString(perTenth));
                System.out.println(realm + " " + CpuSample.take().since(cpuBefore));
                CpuSample.stopRecordings(realm + "-" + nodes.size() + "n-" + System.currentTimeMillis());
                inspect.accept(realm);
            }
            long statementCount = captureStatements < 0 ? -1 : statements.count() - captureStatements;
            int outOfOrder = 0;
            for (List<Integer> order : receiver.arrivals.values()) {
                int highest = -1;
                Set<Integer> before = new HashSet<>();
                for (int index : order) {
                    if (index < highest && !before.contains(index)) {
                        outOfOrder++; // a first arrival after a later event: order broken (a redelivery is a duplicate, not this)
                    }
                    before.add(index);
                    highest = Math.max(highest, index);
                }
            }
            return new Result(subscriptions + " subscription(s)" + (applications > 1 ? ", " + applications + " apps" : "")
                    + (down > 0 ? ", " + down + " receiver down" : "")
                    + " × " + perSubscription, rows, distinct,
                    receiver.delivered.get() - distinct, outOfOrder, rows - distinct, preloadSeconds,
                    // From the first arrival: the refused head is tried again up to a second after the receiver is
                    // back (retry-schedule=1s), a wait that is not the engine's drain rate.
                    (receiver.lastArrival - receiver.firstArrival) / 1e9, statementCount, captureStatements);
        } finally {
            admin.delete("/" + realm);
        }
    }

    private static int distinct(AwayReceiver receiver) {
        synchronized (receiver) {
            return receiver.ids.values().stream().mapToInt(Set::size).sum();
        }
    }

    /**
     * The ceiling: {@code requests} POSTs of a delivery-sized body, each signed (HMAC-SHA256, as the Standard
     * Webhooks header is), one at a time from this JVM to a receiver like the drains' — what one lane could
     * do on this machine if the engine cost nothing.
     */
    static Result ceiling(int requests) throws Exception {
        try (AwayReceiver receiver = new AwayReceiver()) {
            receiver.open = true;
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
            URI target = URI.create(receiver.url("/ceiling"));
            long started = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                String body = "{\"id\":\"" + UUID.randomUUID() + "\",\"correlationId\":\"c\",\"eventType\":\"p" + i
                        + "\",\"topic\":\"public.test\",\"subtopic\":\"bench\",\"timeStamp\":\"2026-11-30T00:00:00Z\","
                        + "\"facts\":{\"applicationId\":\"" + "a".repeat(36) + "\"}}";
                String signature = Base64.getEncoder().encodeToString(hmac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
                http.send(HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                        .header("webhook-signature", "v1," + signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Result("ceiling: bare signed POSTs, 1 at a time", requests, receiver.delivered.get(), 0, 0,
                    requests - receiver.delivered.get(), 0, seconds, -1, -1);
        }
    }

    static void print(Result ceiling, List<Result> drains) {
        System.out.printf(Locale.ROOT, "%nWebhook delivery of a preloaded backlog (receiver away while publishing, then back)%n");
        System.out.printf(Locale.ROOT, "| %-42s | %7s | %9s | %4s | %9s | %4s | %10s | %8s | %10s | %9s | %12s |%n",
                "case", "rows", "delivered", "dup", "out of ord", "lost", "preload s", "drain s", "events/s", "× ceiling", "stmts/deliv");
        System.out.println("|--------------------------------------------|---------|-----------|------|-----------|------|------------|-----"
                + "-----|------------|-----------|--------------|");
        for (Result r : prepend(ceiling, drains)) {
            System.out.printf(Locale.ROOT, "| %-42s | %7d | %9d | %4d | %9d | %4d | %10.1f | %8.1f | %10.1f | %9.3f | %12s |%n",
                    r.name(), r.rows(), r.delivered(), r.duplicates(), r.outOfOrder(), r.lost(), r.preloadSeconds(),
                    r.drainSeconds(), r.rate(), r.rate() / ceiling.rate(),
                    Double.isNaN(r.statementsPerDelivery()) ? "-" : String.format(Locale.ROOT, "%.2f", r.statementsPerDelivery()));
        }
    }

    private static List<Result> prepend(Result first, List<Result> rest) {
        List<Result> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
