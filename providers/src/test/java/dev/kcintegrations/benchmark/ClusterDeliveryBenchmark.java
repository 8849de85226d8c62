package dev.kcintegrations.benchmark;

import dev.kcintegrations.testing.KeycloakCluster;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Webhook delivery on two production-mode nodes (PostgreSQL, jdbc-ping) against one of them, same machine,
 * same run: events are published on node 1 and delivered by whichever nodes run; then node 2 is stopped
 * (a clean shutdown, it leaves the cluster view) and the same cases run on node 1 alone, the baseline.
 * Both nodes share this machine's two cores with the database, the publisher and the receiver, so the
 * figures show what a second node's dispatcher adds here, not the scaling of two machines.
 */
final class ClusterDeliveryBenchmark {

    private ClusterDeliveryBenchmark() {
    }

    record Pair(WebhookBenchmark.Drain twoNodes, WebhookBenchmark.Drain oneNode) {
    }

    static List<Pair> run(int events, WebhookBenchmark.Receiver receiver) throws Exception {
        try (KeycloakCluster cluster = KeycloakCluster.start("benchmark-cluster", List.of(Benchmarks.UNLIMITED_TEST_EVENTS))) {
            URI node1 = cluster.node(1).baseUrl();
            // Both JVMs deliver a first batch before anything is measured, so neither case runs cold.
            WebhookBenchmark.drain(node1, events / 5, 5, receiver);
            WebhookBenchmark.Drain flatTwo = WebhookBenchmark.drain(node1, events / 5, 5, receiver);
            WebhookBenchmark.Drain pacedTwo = WebhookBenchmark.drain(node1, events / 5, 1, 50, receiver);
            cluster.stop(2);
            WebhookBenchmark.Drain flatOne = WebhookBenchmark.drain(node1, events / 5, 5, receiver);
            WebhookBenchmark.Drain pacedOne = WebhookBenchmark.drain(node1, events / 5, 1, 50, receiver);
            return List.of(new Pair(flatTwo, flatOne), new Pair(pacedTwo, pacedOne));
        }
    }

    static void print(List<Pair> pairs) {
        System.out.printf(Locale.ROOT, "%nWebhook delivery on PostgreSQL in start mode: two nodes vs node 1 alone (published on node 1)%n");
        System.out.printf(Locale.ROOT, "| %-20s | %-20s | %5s | %9s | %10s | %10s | %10s | %10s | %8s | %8s |%n",
                "case", "published", "nodes", "delivered", "events/s", "p50 lag ms", "p99 lag ms", "events/s ×", "p50 ×", "p99 ×");
        System.out.println("|----------------------|----------------------|-------|-----------|------------|------------|------------|------------|----------|----------|");
        for (Pair pair : pairs) {
            row(pair.oneNode(), 1, pair.oneNode());
            row(pair.twoNodes(), 2, pair.oneNode());
        }
    }

    private static void row(WebhookBenchmark.Drain d, int nodes, WebhookBenchmark.Drain base) {
        System.out.printf(Locale.ROOT, "| %-20s | %-20s | %5d | %9d | %10.1f | %10d | %10d | %10.3f | %8.3f | %8.3f |%n",
                d.name(), d.published(), nodes, d.delivered(), d.eventsPerSecond(), d.p50(), d.p99(),
                d.eventsPerSecond() / base.eventsPerSecond(), ratio(d.p50(), base.p50()), ratio(d.p99(), base.p99()));
    }

    private static double ratio(long value, long base) {
        return base <= 0 ? Double.NaN : (double) value / base;
    }
}
