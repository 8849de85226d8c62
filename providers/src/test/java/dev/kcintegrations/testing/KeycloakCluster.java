package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Two Keycloak 26.7.5 nodes in production mode on one PostgreSQL (from Debian's packages), as an
 * administrator runs them: embedded Infinispan, jdbc-ping discovery over the database, every port on
 * 127.0.0.1 and distinct, and one {@code --hostname} so that a token from either node verifies on both.
 * Ready when both logs show a two-member cluster view.
 */
public final class KeycloakCluster implements AutoCloseable {

    private static final Pattern TWO_MEMBERS = Pattern.compile("ISPN000094: Received new cluster view for channel ISPN: \\[[^]]*] \\(2\\)");

    private final PostgresServer database;
    private final DistributionServer[] nodes = new DistributionServer[2];
    private final String hostname;

    private KeycloakCluster(PostgresServer database, String hostname) {
        this.database = database;
        this.hostname = hostname;
    }

    public static KeycloakCluster start(String name, List<String> extraArgs) {
        Path run = Path.of(System.getProperty("keycloak.run.dir")).resolve(name);
        PostgresServer database = PostgresServer.start(run.resolve("postgres"));
        try {
            int[] http = {DistributionServer.freePort(), DistributionServer.freePort()};
            String hostname = "http://127.0.0.1:" + http[0];
            KeycloakCluster cluster = new KeycloakCluster(database, hostname);
            for (int i = 0; i < 2; i++) {
                DistributionServer.Settings settings = new DistributionServer.Settings(
                        Path.of(System.getProperty("keycloak.dist")), Path.of(System.getProperty("keycloak.providers.jar")),
                        Path.of(System.getProperty("project.root")).toAbsolutePath().normalize(), run.resolve("node" + (i + 1)), extraArgs);
                cluster.nodes[i] = DistributionServer.startClusterNode(settings, hostname, database.jdbcUrl(), http[i],
                        DistributionServer.freePort(), DistributionServer.freePort());
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
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (TWO_MEMBERS.matcher(nodes[0].logText()).find() && TWO_MEMBERS.matcher(nodes[1].logText()).find()) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("The nodes did not form a two-member cluster:\n" + nodes[1].logTail(40));
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
