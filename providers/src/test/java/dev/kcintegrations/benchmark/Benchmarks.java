package dev.kcintegrations.benchmark;

import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;

import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every benchmark of the project against the real distribution: a table per benchmark as it runs, then all
 * figures in one table, each with its ratio to its baseline measured in the same run. A program, not a
 * test: it asserts nothing.
 *
 * <p>Run with {@code ./run-benchmarks.sh}; {@code -Dbench.url=http://…} measures an already running server
 * (with the demo realm) instead of starting one. The last table starts two production-mode nodes on
 * PostgreSQL ({@code -Dbench.cluster=false} leaves it out).
 */
public final class Benchmarks {

    private static final SummaryTable SUMMARY = new SummaryTable();

    private Benchmarks() {
    }

    /** The drains publish thousands of test events a minute from one application: lift its per-minute limit. */
    static final String UNLIMITED_TEST_EVENTS = "--spi-events-listener--webhook-events--test-events-per-minute=100000000";
    /** Rows per subscription in a measured round of the nodes case: long enough drains that noise is a small part. */
    static final int CLUSTER_ROWS = Integer.getInteger("bench.clusterRows", 4000);

    /** The preloaded drains hold a backlog behind a refused head: it is tried again every second, not after 5 s, 5 min, … */
    static final String RETRY_EVERY_SECOND = "--spi-events-listener--webhook-events--retry-schedule=1s";
    /** The 20-subscription drain puts 10 on each of two applications; the nodes case 8 on one. */
    static final String MANY_SUBSCRIPTIONS = "--spi-events-listener--webhook-events--max-subscriptions=10";

    public static void main(String[] args) throws Exception {
        int workers = Integer.getInteger("bench.workers", 8);
        int rounds = Integer.getInteger("bench.rounds", 5);
        int perRound = Integer.getInteger("bench.requests", 2000);
        String url = System.getProperty("bench.url");
        KeycloakServer server = url == null ? KeycloakServers.startDistribution("benchmark", List.of(UNLIMITED_TEST_EVENTS, RETRY_EVERY_SECOND,
                MANY_SUBSCRIPTIONS)) : null;
        try {
            URI baseUrl = url != null ? URI.create(url) : server.baseUrl();
            System.out.printf(Locale.ROOT, "%nBenchmarks %s, %d cores, Java %s, %d workers, %d rounds x %d requests per case%n",
                    LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    workers, rounds, perRound);
            if ("cluster".equals(System.getProperty("bench.only"))) {
                try (WebhookBenchmark.Receiver receiver = new WebhookBenchmark.Receiver()) {
                    ClusterDeliveryBenchmark.print(ClusterDeliveryBenchmark.run(CLUSTER_ROWS, receiver));
                }
                return;
            }
            if ("login".equals(System.getProperty("bench.only"))) {
                try (WebhookBenchmark.Receiver receiver = new WebhookBenchmark.Receiver()) {
                    printTable("Logins (password grant, one LOGIN event each): 5 subscriptions matching every login (held: captured only; de"
                            + "livered: captured and sent) vs none",
                            WebhookBenchmark.loginCost(baseUrl, workers, rounds, perRound, receiver), "login, 0 subscriptions", "login capture");
                }
                return;
            }
            if ("latency".equals(System.getProperty("bench.only"))) {
                latencyDrains(baseUrl);
                SUMMARY.print();
                return;
            }
            if ("preload".equals(System.getProperty("bench.only"))) {
                preloadedDrains(baseUrl);
                return;
            }
            Map<String, LoadRun.Result> callout = CalloutTokenBenchmark.run(baseUrl, workers, rounds, perRound);
            printTable("Client credentials: oauth-compat vs Keycloak's standard token endpoint (same client)",
                    callout, "standard endpoint", "callout token");
            Map<String, LoadRun.Result> urn = UrnScopeBenchmark.run(baseUrl, workers, rounds, perRound);
            printTable("Client credentials: URN-scoped request vs the same request for a stock audience scope (field-service-integration)",
                    urn, "stock audience scope", "URN scope");
            Map<String, LoadRun.Result> plugin = PluginExchangeBenchmark.run(baseUrl, workers, rounds, perRound);
            printTable("User session to a scope-bound token: plugin-api getAccessTokenByScope vs Keycloak's refresh-token grant (same client, same session)",
                    plugin, "refresh-token grant", "plugin exchange");
            try (WebhookBenchmark.Receiver receiver = new WebhookBenchmark.Receiver()) {
                Map<String, LoadRun.Result> logins = WebhookBenchmark.loginCost(baseUrl, workers, rounds, perRound, receiver);
                printTable("Logins (password grant, one LOGIN event each): 5 subscriptions matching every login (held: captured only; delive"
                        + "red: captured and sent) vs none",
                        logins, "login, 0 subscriptions", "login capture");
                int events = Integer.getInteger("bench.events", 2000);
                List<WebhookBenchmark.Drain> drains = List.of(
                        WebhookBenchmark.drain(baseUrl, events, 1, receiver),
                        WebhookBenchmark.drain(baseUrl, events / 5, 5, receiver),
                        WebhookBenchmark.drain(baseUrl, 50 * 20, 1, 50, receiver),
                        WebhookBenchmark.drain(baseUrl, 250 * 20, 1, 250, receiver));
                WebhookBenchmark.printDrain(drains);
                drains.forEach(d -> addDrain("delivery, 1 node (dev H2)", d.name() + ", " + d.published(), d, "1 subscription, flat out", drains.get(0)));
                if (Boolean.parseBoolean(System.getProperty("bench.cluster", "true"))) {
                    ClusterDeliveryBenchmark.Outcome cluster = ClusterDeliveryBenchmark.run(CLUSTER_ROWS, receiver);
                    ClusterDeliveryBenchmark.print(cluster);
                    double one = ClusterDeliveryBenchmark.flatRate(cluster, 1);
                    SUMMARY.add("delivery, PostgreSQL", ClusterDeliveryBenchmark.SUBSCRIPTIONS + " subscriptions, 1 node", "events/s", one, 0, 0,
                            "node 1 alone", one, 0, 0);
                    SUMMARY.add("delivery, PostgreSQL", ClusterDeliveryBenchmark.SUBSCRIPTIONS + " subscriptions, 2 nodes (cross-node p99 "
                                    + ClusterDeliveryBenchmark.crossNodeP99(cluster) + " ms)", "events/s",
                            ClusterDeliveryBenchmark.flatRate(cluster, 2), 0, 0, "node 1 alone", one, 0, 0);
                    PreloadedDrainBenchmark.Result pg = cluster.preloaded();
                    SUMMARY.add("delivery, PostgreSQL", pg.name() + " preloaded, " + String.format(Locale.ROOT,
                                    "%.2f statements/delivery draining, %.2f per row publishing", pg.statementsPerDelivery(),
                                    (double) pg.captureStatements() / pg.rows()), "events/s", pg.rate(), 0, 0, "node 1 alone", one, 0, 0);
                }
            }
            latencyDrains(baseUrl);
            preloadedDrains(baseUrl);
            SUMMARY.print();
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * Issue 13's cases: one subscription with backlogs of each size of {@code bench.preload} (rows), five
     * subscriptions of 4,000 rows each, twenty (on two applications) of 1,000, and the ceiling they are measured against.
     */
    private static void preloadedDrains(URI baseUrl) throws Exception {
        List<Integer> sizes = Arrays.stream(System.getProperty("bench.preload", "5000,20000,80000").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        // The server's JIT warms up first, so the first measured size does not pay for it.
        PreloadedDrainBenchmark.warmUp("1 node, 1 subscription × 5000", List.of(baseUrl), 5000, 1, 1);
        PreloadedDrainBenchmark.Result ceiling = PreloadedDrainBenchmark.ceiling(5000);
        List<PreloadedDrainBenchmark.Result> drains = new ArrayList<>();
        for (int size : sizes) {
            drains.add(PreloadedDrainBenchmark.drain(baseUrl, size, 1));
        }
        drains.add(PreloadedDrainBenchmark.drain(baseUrl, 4000, 5));
        drains.add(PreloadedDrainBenchmark.drain(baseUrl, 1000, 20, 2, PreloadedDrainBenchmark.Statements.NONE));
        // One receiver stays down: its lane retries its head, the other four drain as if it were not there.
        drains.add(PreloadedDrainBenchmark.drain(baseUrl, 4000, 5, 1, PreloadedDrainBenchmark.Statements.NONE, 1));
        PreloadedDrainBenchmark.print(ceiling, drains);
        for (PreloadedDrainBenchmark.Result d : drains) {
            SUMMARY.add("preloaded drain, 1 node (dev H2)", d.name(), "events/s", d.rate(), 0, 0, "ceiling", ceiling.rate(), 0, 0);
        }
    }

    /** Issue 24's cases: a receiver 50 and 200 ms away, per-subject order against the total order. */
    private static void latencyDrains(URI baseUrl) throws Exception {
        List<LatencyDrainBenchmark.Result> results = LatencyDrainBenchmark.runAll(baseUrl);
        LatencyDrainBenchmark.print(results);
        LatencyDrainBenchmark.Result loopback = results.get(0);
        LatencyDrainBenchmark.Result total = results.get(2);
        for (LatencyDrainBenchmark.Result r : results) {
            LatencyDrainBenchmark.Result base = r.latencyMs() == 0 ? loopback : total;
            SUMMARY.add("delivery to a late receiver, 1 node (dev H2)", r.name() + " (" + r.outOfOrder() + " out of order, "
                    + r.lost() + " lost, " + r.mostInFlight() + " at once)", "events/s", r.rate(), 0, 0, base.name(), base.rate(), 0, 0);
        }
    }

    private static void addDrain(String group, String name, WebhookBenchmark.Drain d, String baseline, WebhookBenchmark.Drain base) {
        SUMMARY.add(group, name, "events/s", d.eventsPerSecond(), d.p50(), d.p99(), baseline, base.eventsPerSecond(), base.p50(), base.p99());
    }

    static void printTable(String title, Map<String, LoadRun.Result> results, String baseline, String group) {
        LoadRun.Result base = results.get(baseline);
        results.values().forEach(r -> SUMMARY.add(group, r.name(), "req/s", r.throughput(), r.percentile(0.50), r.percentile(0.99),
                baseline, base.throughput(), base.percentile(0.50), base.percentile(0.99)));
        System.out.printf(Locale.ROOT, "%n%s%n", title);
        System.out.printf(Locale.ROOT, "| %-22s | %9s | %8s | %10s | %8s | %8s | %9s | %9s |%n",
                "case", "requests", "failures", "req/s", "p50 ms", "p99 ms", "req/s ×", "p99 ×");
        System.out.println("|------------------------|-----------|----------|------------|----------|----------|-----------|-----------|");
        results.values().forEach(r -> System.out.printf(Locale.ROOT,
                "| %-22s | %9d | %8d | %10.1f | %8.2f | %8.2f | %9.3f | %9.3f |%n",
                r.name(), r.requests(), r.failures(), r.throughput(), r.percentile(0.50), r.percentile(0.99),
                r.throughput() / base.throughput(), r.percentile(0.99) / base.percentile(0.99)));
    }
}
