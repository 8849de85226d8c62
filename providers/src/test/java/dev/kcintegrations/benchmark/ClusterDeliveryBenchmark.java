package dev.kcintegrations.benchmark;

import dev.kcintegrations.testing.KeycloakCluster;
import dev.kcintegrations.testing.KeycloakServer;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Webhook delivery on two production-mode nodes (PostgreSQL, jdbc-ping) against node 1 alone, same machine,
 * same run, rounds interleaved 1-2-1-2-1-2 (node 2 is stopped cleanly and started again between rounds). Each
 * round drains a backlog of 8 subscriptions preloaded while the receiver was away, and a paced stream, with events
 * published on every running node; in the
 * paced two-node rounds, the lag of deliveries made by the node that did not capture the event is the
 * cross-node wake-up. Both nodes share this machine's two cores with the database, the publisher and the
 * receiver, so the figures show what a second node adds here, not the scaling of two machines. Then a
 * preloaded backlog is drained with PostgreSQL's {@code pg_stat_statements} counting every statement.
 */
final class ClusterDeliveryBenchmark {

    static final int SUBSCRIPTIONS = 8;
    private static final Pattern STARTED = Pattern.compile("Webhook delivery started on (\\S+)");

    /**
     * {@code -Dbench.pin=true}: each node on a CPU of its own, as if each were a machine of one core. Unpinned, both
     * nodes share this machine's cores with each other, PostgreSQL, the publisher and the receiver, so a second
     * node brings no CPU of its own and can only cost; pinned, it brings one, which is what a second machine does.
     */
    static final boolean PINNED = Boolean.getBoolean("bench.pin");

    private ClusterDeliveryBenchmark() {
    }

    /**
     * @param drained      a preloaded backlog (published on every running node while the receiver was away) drained
     * @param crossNodeP99 p99 lag of the paced deliveries made by the node that did not capture them, -1 if none
     */
    record Round(int nodes, PreloadedDrainBenchmark.Result drained, WebhookBenchmark.Drain paced, int crossNode, long crossNodeP99) {
    }

    record Outcome(List<Round> rounds, PreloadedDrainBenchmark.Result preloaded) {
    }

    /** @param events rows each subscription's backlog holds in a measured round (half that in the warm-ups) */
    static Outcome run(int events, WebhookBenchmark.Receiver receiver) throws Exception {
        try (KeycloakCluster cluster = KeycloakCluster.start("benchmark-cluster",
                List.of(Benchmarks.UNLIMITED_TEST_EVENTS, Benchmarks.MANY_SUBSCRIPTIONS, Benchmarks.RETRY_EVERY_SECOND), PINNED)) {
            List<URI> both = List.of(cluster.node(1).baseUrl(), cluster.node(2).baseUrl());
            // Both JVMs are warm before anything is measured, so neither case runs cold.
            warmUp(both, events, receiver);
            PreloadedDrainBenchmark.Result preloaded = PreloadedDrainBenchmark.drain(both.get(0), 5000, 1, 1, statements(cluster));
            List<Round> rounds = new ArrayList<>();
            boolean node2Up = true;
            for (int nodes : Arrays.stream(System.getProperty("bench.nodeRounds", "1,2,1,2,1,2").split(","))
                    .mapToInt(Integer::parseInt).toArray()) {
                if (nodes == 1 && node2Up) {
                    cluster.stop(2);
                } else if (nodes == 2 && !node2Up) {
                    cluster.start(2);
                    warmUp(both, events, receiver); // a node just started runs cold
                }
                node2Up = nodes == 2;
                List<URI> publishOn = nodes == 2 ? List.of(cluster.node(1).baseUrl(), cluster.node(2).baseUrl()) : both.subList(0, 1);
                rounds.add(round(cluster, publishOn, events, receiver));
            }
            OutboxPlans.print(cluster.database(), Integer.getInteger("bench.planRows", 1_000_000));
            return new Outcome(rounds, preloaded);
        }
    }

    /**
     * Two-node drains of the rounds' shape until their rate settles, and a paced stream published on both nodes
     * (the cross-node wake-up's code path warms up too).
     */
    private static void warmUp(List<URI> both, int events, WebhookBenchmark.Receiver receiver) throws Exception {
        PreloadedDrainBenchmark.warmUp("2 nodes, " + SUBSCRIPTIONS + " subscriptions × " + events / 2, both, events / 2, SUBSCRIPTIONS, 2);
        WebhookBenchmark.drain(both, 50 * 4, SUBSCRIPTIONS, 50, receiver, realm -> { });
    }

    private static Round round(KeycloakCluster cluster, List<URI> publishOn, int events, WebhookBenchmark.Receiver receiver) throws Exception {
        // 8 subscriptions on two applications; every event is published once per application.
        boolean profile = Boolean.getBoolean("bench.profile");
        PreloadedDrainBenchmark.Result drained = PreloadedDrainBenchmark.drain(publishOn, events, SUBSCRIPTIONS, 2,
                profile ? statements(cluster) : PreloadedDrainBenchmark.Statements.NONE, 0, realm -> System.out.println(realm
                        + " deliveries by node, subscription: "
                        + cluster.database().query("SELECT a.node || ' ' || s.name || ' ' || count(*) || ' epoch ' || max(s.lease_epoch)"
                        + " || ' wire ms ' || round(avg(a.latency_ms) FILTER (WHERE a.outcome = 'DELIVERED'), 2)"
                        + " || ' span s ' || round((max(a.attempted_at) FILTER (WHERE a.outcome = 'DELIVERED') - min(a.attempted_at) FILTER "
                                + "(WHERE a.outcome = 'DELIVERED')) / 1000.0, 2)"
                        + " FROM kci_webhook_attempt a JOIN kci_webhook_delivery d ON d.id = a.delivery_id"
                        + " JOIN kci_webhook_subscription s ON s.id = d.subscription_id"
                        + " WHERE s.realm_id = (SELECT id FROM realm WHERE name = '" + realm + "') GROUP BY a.node, s.name ORDER BY 1")
                        + "\n top statements: " + String.join("\n   ",
                                cluster.database().query("SELECT calls || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 140)"
                        + " FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 14"))));
        List<String[]> attempts = new ArrayList<>();
        WebhookBenchmark.Drain paced = WebhookBenchmark.drain(publishOn, 50 * 10, SUBSCRIPTIONS, 50, receiver,
                realm -> cluster.database().query("SELECT d.event_id || '|' || s.name || '|' || a.node || '|' || d.event_type"
                        + " FROM kci_webhook_attempt a JOIN kci_webhook_delivery d ON d.id = a.delivery_id"
                        + " JOIN kci_webhook_subscription s ON s.id = d.subscription_id"
                        + " WHERE a.outcome = 'DELIVERED' AND d.event_type LIKE 'bench%'"
                        + " AND s.realm_id = (SELECT id FROM realm WHERE name = '" + realm + "')")
                        .forEach(row -> attempts.add(row.split("\\|"))));
        if (publishOn.size() < 2) {
            return new Round(1, drained, paced, 0, -1);
        }
        // Event i was published on node i % 2 + 1; a delivery by the other node was woken across nodes.
        Map<String, Integer> nodeNumbers = new HashMap<>();
        nodeNumbers.put(nodeName(cluster.node(1)), 0);
        nodeNumbers.put(nodeName(cluster.node(2)), 1);
        List<Long> crossNode = new ArrayList<>();
        for (String[] attempt : attempts) {
            int published = Integer.parseInt(attempt[3].substring("bench".length())) % 2;
            Integer deliveredBy = nodeNumbers.get(attempt[2]);
            String subscription = attempt[1].substring("bench-drain-".length());
            Long lag = receiver.latencyMillis.get(attempt[0] + "//drain" + SUBSCRIPTIONS + "-" + subscription);
            if (deliveredBy != null && deliveredBy != published && lag != null) {
                crossNode.add(lag);
            }
        }
        crossNode.sort(Long::compare);
        return new Round(2, drained, paced, crossNode.size(), WebhookBenchmark.percentile(crossNode, 0.99));
    }

    private static String nodeName(KeycloakServer node) {
        Matcher started = STARTED.matcher(node.logTail(1_000_000));
        String name = null;
        while (started.find()) {
            name = started.group(1); // a restarted node: its latest name
        }
        return name;
    }

    private static PreloadedDrainBenchmark.Statements statements(KeycloakCluster cluster) {
        return new PreloadedDrainBenchmark.Statements() {
            @Override
            public void reset() {
                cluster.database().query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                cluster.database().query("SELECT pg_stat_statements_reset()");
            }

            @Override
            public long count() {
                // Every statement Keycloak ran on its database (the psql calls of this counter are not in it: they
                // run as the same user but are filtered by their text).
                return Long.parseLong(cluster.database().query("SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements"
                        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                        + " AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE 'CREATE EXTENSION%'").get(0));
            }
        };
    }

    static void print(Outcome outcome) {
        System.out.printf(Locale.ROOT, "%nWebhook delivery on PostgreSQL in start mode, %d subscriptions: rounds %s (published on every running node)%s%n",
                SUBSCRIPTIONS, String.join("-", outcome.rounds().stream().map(r -> String.valueOf(r.nodes())).toList()),
                PINNED ? ", each node pinned to a CPU of its own (taskset)" : ", every process on any CPU");
        System.out.printf(Locale.ROOT, "| %5s | %-34s | %9s | %4s | %4s | %10s | %10s | %10s | %17s |%n",
                "nodes", "case", "delivered", "dup", "lost", "events/s", "p50 lag ms", "p99 lag ms", "cross-node p99 ms");
        System.out.println("|-------|------------------------------------|-----------|------|------|------------|------------|------------|-"
                + "------------------|");
        for (Round round : outcome.rounds()) {
            PreloadedDrainBenchmark.Result d = round.drained();
            System.out.printf(Locale.ROOT, "| %5d | %-34s | %9d | %4d | %4d | %10.1f | %10s | %10s | %17s |%n", round.nodes(),
                    "preloaded " + d.rows() + " rows, drained", d.delivered(), d.duplicates(), d.lost(), d.rate(), "-", "-", "-");
            if (d.statements() >= 0) {
                System.out.printf(Locale.ROOT, "|       |   statements per delivery: %.2f%n", d.statementsPerDelivery());
            }
            WebhookBenchmark.Drain p = round.paced();
            System.out.printf(Locale.ROOT, "| %5d | %-34s | %9d | %4s | %4s | %10.1f | %10d | %10d | %17s |%n", round.nodes(),
                    p.published(), p.delivered(), "-", "-", p.eventsPerSecond(), p.p50(), p.p99(),
                    round.crossNodeP99() >= 0 ? round.crossNodeP99() + " (" + round.crossNode() + ")" : "-");
        }
        double one = flatRate(outcome, 1);
        double two = flatRate(outcome, 2);
        System.out.printf(Locale.ROOT, "Preloaded drain: 2 nodes %.1f/s vs 1 node %.1f/s (mean of the rounds): %.3f×%n", two, one, two / one);
    }

    static double flatRate(Outcome outcome, int nodes) {
        return outcome.rounds().stream().filter(r -> r.nodes() == nodes).mapToDouble(r -> r.drained().rate()).average().orElse(Double.NaN);
    }

    static long crossNodeP99(Outcome outcome) {
        return outcome.rounds().stream().mapToLong(Round::crossNodeP99).max().orElse(-1);
    }
}
