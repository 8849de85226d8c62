package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Two Keycloak 26.7.5 nodes in production mode on one PostgreSQL (from Debian's packages), as an
 * administrator runs them: embedded Infinispan, jdbc-ping discovery over the database, every port on
 * 127.0.0.1 and distinct, and one {@code --hostname} so that a token from either node verifies on both.
 * Ready when both logs show a two-member cluster view.
 */
public final class KeycloakCluster implements AutoCloseable {

    private static final Pattern TWO_MEMBERS = view(2);

    private static Pattern view(int members) {
        return Pattern.compile("ISPN000094: Received new cluster view for channel ISPN: \\[[^]]*] \\(" + members + "\\)");
    }

    private final PostgresServer database;
    private final DistributionServer[] nodes = new DistributionServer[2];
    private final DistributionServer.Settings[] settings = new DistributionServer.Settings[2];
    private final int[][] ports = new int[2][];
    private final String hostname;
    private final boolean pinned;
    private final Jit jit;

    /** How the nodes' JVMs compile. */
    public enum Jit {
        /** C2 too: long drains that sign with RSA (ClusterIT, the benchmarks). */
        FULL(""),
        /** C1 only, as the dev-mode test servers: a few tests of a few hundred events, where C2's compiling costs more. */
        QUICK(DistributionServer.DEV_JVM_OPTIONS);

        private final String jvmOptions;

        Jit(String jvmOptions) {
            this.jvmOptions = jvmOptions;
        }
    }

    private KeycloakCluster(PostgresServer database, String hostname, boolean pinned, Jit jit) {
        this.database = database;
        this.hostname = hostname;
        this.pinned = pinned;
        this.jit = jit;
    }

    public static KeycloakCluster start(String name, List<String> extraArgs) {
        return start(name, extraArgs, false, Jit.FULL);
    }

    public static KeycloakCluster start(String name, List<String> extraArgs, Jit jit) {
        return start(name, extraArgs, false, jit);
    }

    public static KeycloakCluster start(String name, List<String> extraArgs, boolean pinned) {
        return start(name, extraArgs, pinned, Jit.FULL);
    }

    /**
     * @param pinned each node on a CPU of its own (node 1 on CPU 0, node 2 on CPU 1, with {@code taskset}), as if
     *               each were a machine of one core; PostgreSQL and everything else still run on any CPU
     */
    public static KeycloakCluster start(String name, List<String> extraArgs, boolean pinned, Jit jit) {
        Path run = Path.of(System.getProperty("keycloak.run.dir")).resolve(name);
        PostgresServer database = PostgresServer.start(run.resolve("postgres"));
        try {
            int[] http = {DistributionServer.freePort(), DistributionServer.freePort()};
            String hostname = "http://127.0.0.1:" + http[0];
            KeycloakCluster cluster = new KeycloakCluster(database, hostname, pinned, jit);
            for (int i = 0; i < 2; i++) {
                cluster.settings[i] = new DistributionServer.Settings(
                        Path.of(System.getProperty("keycloak.dist")), Path.of(System.getProperty("keycloak.providers.jar")),
                        Path.of(System.getProperty("project.root")).toAbsolutePath().normalize(), run.resolve("node" + (i + 1)), extraArgs);
                cluster.ports[i] = new int[]{http[i], DistributionServer.freePort(), DistributionServer.freePort()};
                cluster.startNode(i);
            }
            cluster.awaitTwoMembers();
            return cluster;
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private void awaitTwoMembers() {
        awaitLogs(() -> TWO_MEMBERS.matcher(nodes[0].logText()).find() && TWO_MEMBERS.matcher(nodes[1].logText()).find(),
                () -> "The nodes did not form a two-member cluster:\n" + nodes[1].logTail(40));
    }

    private static void awaitLogs(BooleanSupplier condition, Supplier<String> failure) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(failure.get());
    }

    /** Node 1 or 2. */
    public KeycloakServer node(int number) {
        return nodes[number - 1];
    }

    /** The issuer host both nodes put in their tokens (node 1's URL). */
    public String hostname() {
        return hostname;
    }

    public PostgresServer database() {
        return database;
    }

    /** Stops node {@code number} cleanly and waits until the other node's log shows it alone in the view. */
    public void stop(int number) {
        DistributionServer other = nodes[2 - number];
        int viewsBefore = countMatches(view(1), other.logText());
        nodes[number - 1].close();
        awaitLogs(() -> countMatches(view(1), other.logText()) > viewsBefore,
                () -> "node " + (3 - number) + " did not see node " + number + " leave:\n" + other.logTail(40));
    }

    private static int countMatches(Pattern pattern, String text) {
        return (int) pattern.matcher(text).results().count();
    }

    private void startNode(int index) {
        nodes[index] = DistributionServer.startClusterNode(settings[index], hostname, database.jdbcUrl(), ports[index][0],
                ports[index][1], ports[index][2], pinned ? index % Runtime.getRuntime().availableProcessors() : -1, jit.jvmOptions);
    }

    /** Starts node {@code number} again after {@link #stop}, on its ports, and waits until both see two members. */
    public void start(int number) {
        DistributionServer other = nodes[2 - number];
        int viewsBefore = countMatches(TWO_MEMBERS, other.logText());
        // The HTTP port stays (tests hold the node's URL); the management and JGroups ports are chosen again: a port
        // free when the node first started may be some connection's local port by now ("Address already in use").
        try {
            ports[number - 1] = new int[]{ports[number - 1][0], DistributionServer.freePort(), DistributionServer.freePort()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startNode(number - 1);
        awaitLogs(() -> countMatches(TWO_MEMBERS, other.logText()) > viewsBefore && TWO_MEMBERS.matcher(nodes[number - 1].logText()).find(),
                () -> "node " + number + " did not join again:\n" + nodes[number - 1].logTail(40));
    }

    /** Kills node {@code number} with SIGKILL. */
    public void kill(int number) {
        nodes[number - 1].kill();
    }

    @Override
    public void close() {
        for (DistributionServer node : nodes) {
            if (node != null) {
                node.close();
            }
        }
        database.close();
    }
}
