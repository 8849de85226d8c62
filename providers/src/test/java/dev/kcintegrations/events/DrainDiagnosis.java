package dev.kcintegrations.events;

import dev.kcintegrations.testing.KeycloakCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a failed cluster drain leaves to read, put in the failure's message: CI keeps the message and not the
 * nodes' logs. The subscription's lease and block, its queue's head and latest attempts, the survivor's heartbeat,
 * statements waiting on a lock, the survivor's webhook threads and its latest warnings. Each part is bounded,
 * and a part that cannot be read says so instead of hiding the failure.
 */
final class DrainDiagnosis {

    private static final int THREAD_LINES = 40;
    private static final int LOG_LINES = 12;

    private DrainDiagnosis() {
    }

    static String of(KeycloakCluster cluster, int survivor, String survivorName, String subscription) {
        String now = "(extract(epoch from now()) * 1000)::bigint";
        String ofSubscription = " FROM kci_webhook_delivery d JOIN kci_webhook_subscription s ON s.id = d.subscription_id WHERE s.name = '"
                + subscription + "'";
        StringBuilder out = new StringBuilder("\n--- diagnosis (survivor: node ").append(survivor).append(", ").append(survivorName).append(") ---\n");
        part(out, "subscription: status|lease_owner|lease_epoch (claims so far)|lease ends in ms|blocked ends in ms|blocked_by|failure_streak",
                () -> cluster.database().query("SELECT status, lease_owner, lease_epoch, lease_until - " + now + ", blocked_until - " + now
                        + ", blocked_by, failure_streak"
                        + " FROM kci_webhook_subscription WHERE name = '" + subscription + "'"));
        part(out, "queue: status|rows|attempts at most|next attempt in ms at the soonest", () -> cluster.database().query(
                "SELECT d.status, count(*), max(d.attempts), min(d.next_attempt_at) - " + now + ofSubscription + " GROUP BY d.status"));
        part(out, "latest attempts: ago ms|node|outcome|http|error", () -> cluster.database().query(
                "SELECT " + now + " - a.attempted_at, a.node, a.outcome, a.http_status, left(a.error, 80) FROM kci_webhook_attempt a"
                        + " WHERE a.delivery_id IN (SELECT d.id" + ofSubscription + ") ORDER BY a.attempted_at DESC LIMIT 3"));
        part(out, "jobs and heartbeats: name|node|ago ms", () -> cluster.database().query(
                "SELECT name, node, " + now + " - last_run_at FROM kci_webhook_job ORDER BY last_run_at DESC LIMIT 6"));
        part(out, "waiting on a lock: pid|ms|query", () -> cluster.database().query(
                "SELECT pid, (extract(epoch from clock_timestamp() - query_start) * 1000)::bigint, left(query, 100)"
                        + " FROM pg_stat_activity WHERE wait_event_type = 'Lock'"));
        part(out, "survivor's webhook threads", () -> webhookThreads(survivorName));
        part(out, "survivor's latest warnings", () -> cluster.node(survivor).logTail(2000).lines()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                .map(line -> line.length() > 220 ? line.substring(0, 220) + "…" : line)
                .collect(Collectors.collectingAndThen(Collectors.toList(), all -> all.subList(Math.max(0, all.size() - LOG_LINES), all.size()))));
        return out.append("--- end of diagnosis ---\n").toString();
    }

    private interface Lines {
        List<String> read() throws Exception;
    }

    private static void part(StringBuilder out, String title, Lines lines) {
        out.append(title).append(":\n");
        try {
            List<String> read = lines.read();
            if (read.isEmpty()) {
                out.append("  (none)\n");
            }
            read.forEach(line -> out.append("  ").append(line).append('\n'));
        } catch (Exception | AssertionError e) {
            out.append("  (could not read: ").append(e.getClass().getSimpleName()).append(")\n");
        }
    }

    /**
     * The survivor's {@code kci-webhook-*} threads, virtual ones included ({@code jcmd Thread.dump_to_file}), grouped by
     * name, state and where they are in our code (else their top frame): how many of each.
     */
    private static List<String> webhookThreads(String nodeName) throws IOException, InterruptedException {
        String pid = nodeName.substring(0, nodeName.indexOf('@'));
        Path dump = Files.createTempFile("kci-threads", ".txt");
        Files.delete(dump); // jcmd refuses to write over a file
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
            Process process = new ProcessBuilder(jcmd.toString(), pid, "Thread.dump_to_file", "-format=text", dump.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return List.of("(jcmd did not answer in 20 s)");
            }
            Map<String, Integer> groups = new LinkedHashMap<>();
            String thread = null;
            String where = null;
            for (String line : Files.readAllLines(dump)) {
                if (line.startsWith("#")) {
                    count(groups, thread, where);
                    Matcher named = THREAD.matcher(line);
                    thread = named.find() && named.group(1).startsWith("kci-webhook") ? named.group(1).replaceAll("\\d+$", "") + " " + named.group(2) : null;
                    where = null;
                } else if (thread != null && line.startsWith(" ") && !line.isBlank() && (where == null || !where.contains("dev.kcintegrations"))) {
                    // JDK 25 writes "at " before each frame, JDK 21 only indents it
                    where = where == null || line.contains("dev.kcintegrations") ? line.trim() : where;
                }
            }
            count(groups, thread, where);
            List<String> shown = new ArrayList<>();
            groups.forEach((group, count) -> shown.add(count + " x " + group));
            return shown.size() > THREAD_LINES ? shown.subList(0, THREAD_LINES) : shown;
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    private static final Pattern THREAD = Pattern.compile("^#\\d+ \"([^\"]*)\"(?: virtual)? ?(\\S*)");

    private static void count(Map<String, Integer> groups, String thread, String where) {
        if (thread != null) {
            groups.merge(thread + " " + (where == null ? "(no frame)" : where), 1, Integer::sum);
        }
    }
}
