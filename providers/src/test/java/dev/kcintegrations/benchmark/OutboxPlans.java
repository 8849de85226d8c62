package dev.kcintegrations.benchmark;

import dev.kcintegrations.testing.PostgresServer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plans PostgreSQL chooses for the outbox's statements on a big table: {@code rows} deliveries (nine in
 * ten finished, the rest PENDING, over 200 subscriptions), written into the cluster's database after the
 * nodes' own work. The SQL is what Hibernate renders for the named queries, with literals for parameters.
 * A plan that scans the whole table shows up here before it shows up in production.
 */
final class OutboxPlans {

    private OutboxPlans() {
    }

    static void print(PostgresServer database, int rows) {
        String realm = "(SELECT id FROM realm WHERE name = 'master')";
        database.query("INSERT INTO kci_webhook_subscription (id, realm_id, name, application_id, topic, filter, endpoint, secret, status,"
                + " failure_streak, created_at, updated_at, lease_epoch)"
                + " SELECT 'plan-sub-' || s, " + realm + ", 'plan-sub-' || s, 'app', 'public.test', '.*', 'https://r.example.com', 'x',"
                + " 'ACTIVE', 0, 0, 0, 0 FROM generate_series(1, 200) AS s");
        database.query("INSERT INTO kci_webhook_delivery (id, realm_id, subscription_id, event_id, event_type, correlation_id, payload,"
                + " seq, status, attempts, next_attempt_at, created_at, finished_at, requeues)"
                + " SELECT 'plan-' || g, " + realm + ", 'plan-sub-' || (g % 200 + 1), 'e' || g, 'LOGIN', 'c', repeat('x', 400), g,"
                + " CASE WHEN g % 10 = 0 THEN 'PENDING' ELSE 'DELIVERED' END, 1, g, g, CASE WHEN g % 10 = 0 THEN NULL ELSE g END, 0"
                + " FROM generate_series(1, " + rows + ") AS g");
        database.query("ANALYZE kci_webhook_delivery");
        database.query("ANALYZE kci_webhook_subscription");
        long now = rows + 1;
        Map<String, String> statements = new LinkedHashMap<>();
        statements.put("claim (KciSubscription.claimable, FOR NO KEY UPDATE SKIP LOCKED)",
                "SELECT s.* FROM kci_webhook_subscription s WHERE s.status IN ('ACTIVE','SUSPENDED')"
                        + " AND (s.lease_owner IS NULL OR s.lease_until < " + now + ") AND (s.blocked_until IS NULL OR s.blocked_until <= " + now + ")"
                        + " AND EXISTS (SELECT d.id FROM kci_webhook_delivery d WHERE d.subscription_id = s.id AND d.status = 'PENDING')"
                        + " ORDER BY COALESCE(s.lease_until, 0), s.id LIMIT 32 FOR NO KEY UPDATE SKIP LOCKED");
        statements.put("lane read (KciDelivery.pendingOfSubscription)",
                "SELECT d.id, d.event_id, d.correlation_id, d.payload, d.attempts, d.created_at, d.next_attempt_at"
                        + " FROM kci_webhook_delivery d WHERE d.subscription_id = 'plan-sub-7' AND d.status = 'PENDING'"
                        + " ORDER BY d.subscription_id, d.status, d.seq, d.id LIMIT 32");
        statements.put("group commit (KciDelivery.finishMany)",
                "UPDATE kci_webhook_delivery SET status = 'DELIVERED', attempts = attempts + 1, last_http_status = 204, last_error = NULL,"
                        + " finished_at = " + now + " WHERE id IN ('plan-10', 'plan-20', 'plan-30') AND status = 'PENDING'");
        statements.put("release (KciSubscription.releaseIfIdle)",
                "UPDATE kci_webhook_subscription s SET lease_owner = NULL, lease_until = " + now + " WHERE s.id = 'plan-sub-7'"
                        + " AND s.lease_owner = 'n' AND s.lease_epoch = 1 AND NOT EXISTS (SELECT d.id FROM kci_webhook_delivery d"
                        + " WHERE d.subscription_id = s.id AND d.status = 'PENDING')");
        statements.put("housekeeping: park expired (KciDelivery.parkExpired)",
                "UPDATE kci_webhook_delivery d SET status = 'PARKED', finished_at = " + now + ", last_error = 'retention ended'"
                        + " WHERE d.status = 'PENDING' AND d.created_at < 1000 AND d.subscription_id NOT IN"
                        + " (SELECT s.id FROM kci_webhook_subscription s WHERE s.lease_owner IS NOT NULL AND s.lease_until >= " + now + ")");
        statements.put("housekeeping: purge finished (KciDelivery.purgeFinished)",
                "DELETE FROM kci_webhook_delivery d WHERE d.status IN ('DELIVERED', 'CANCELLED') AND d.finished_at < 1000");
        statements.put("cancel a subscription's queue (KciDelivery.cancelPending)",
                "UPDATE kci_webhook_delivery d SET status = 'CANCELLED', finished_at = " + now + ", last_error = 'x'"
                        + " WHERE d.subscription_id = 'plan-sub-7' AND d.status = 'PENDING'");
        statements.put("metrics: depth (KciDelivery.countPending)",
                "SELECT count(d.id), min(d.created_at) FROM kci_webhook_delivery d WHERE d.status = 'PENDING'");
        statements.put("metrics: oldest due (KciDelivery.oldestDueSince)",
                "SELECT min(greatest(d.next_attempt_at, coalesce(s.blocked_until, 0), coalesce(s.lease_until, 0)))"
                        + " FROM kci_webhook_delivery d JOIN kci_webhook_subscription s ON d.subscription_id = s.id"
                        + " WHERE d.status = 'PENDING' AND d.next_attempt_at <= " + now + " AND s.status IN ('ACTIVE', 'SUSPENDED')"
                        + " AND (s.blocked_until IS NULL OR s.blocked_until <= " + now + ") AND (s.lease_owner IS NULL OR s.lease_until < " + now + ")");
        System.out.printf("%nOutbox statements on PostgreSQL with %,d deliveries (%,d PENDING over 200 subscriptions):"
                + " EXPLAIN ANALYZE for reads, EXPLAIN for writes (not run)%n", rows, rows / 10);
        statements.forEach((name, sql) -> {
            System.out.printf("%n-- %s%n", name);
            String explain = sql.startsWith("SELECT") ? "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " : "EXPLAIN (COSTS OFF) ";
            database.query(explain + sql).forEach(line -> System.out.println("   " + line));
        });
        database.query("DELETE FROM kci_webhook_delivery WHERE id LIKE 'plan-%'");
        database.query("DELETE FROM kci_webhook_subscription WHERE id LIKE 'plan-sub-%'");
    }
}
