package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * PostgreSQL from Debian's packages ({@code apt-get install postgresql}), run for the test on loopback with
 * its own data directory and port, and stopped at the end. As root, the server runs as the {@code postgres}
 * user (PostgreSQL refuses to run as root). Trust authentication on 127.0.0.1 only.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "keycloak";
    public static final String USER = "keycloak";

    private final Path bin;
    private final Path directory;
    private final int port;

    private PostgresServer(Path bin, Path directory, int port) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
    }

    public static PostgresServer start(Path directory) {
        Path bin = findBinaries();
        try {
            DistributionServer.deleteRecursively(directory);
            Files.createDirectories(directory);
            int port = DistributionServer.freePort();
            PostgresServer server = new PostgresServer(bin, directory, port);
            if (runningAsRoot()) {
                run(List.of("chown", "-R", "postgres", directory.toString()));
            }
            server.pg("initdb", "-D", directory.resolve("data").toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync");
            server.startServer();
            server.pg("createdb", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER, DATABASE);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Runs one SQL statement with psql and returns its rows, each as its columns joined by {@code |}. */
    public List<String> query(String sql) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", USER, "-d", DATABASE, "-tAX", "-v", "ON_ERROR_STOP=1", "-c", sql));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("psql failed: " + output);
            }
            return output.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the database (fast shutdown: connections are cut) and starts it again on the same port. */
    public void restart() {
        pg("pg_ctl", "-D", directory.resolve("data").toString(), "-m", "fast", "-w", "stop");
        startServer();
    }

    private void startServer() {
        pg("pg_ctl", "-D", directory.resolve("data").toString(), "-l", directory.resolve("postgres.log").toString(), "-w",
                "-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
                        // the benchmark counts statements per delivery with it; loading it costs the tests nothing
                        + " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all",
                "start");
    }

    @Override
    public void close() {
        if (Files.exists(directory.resolve("data/postmaster.pid"))) {
            try {
                pg("pg_ctl", "-D", directory.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            } catch (RuntimeException ignored) {
                // already stopped
            }
        }
    }

    private void pg(String tool, String... args) {
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb. */
    private static Path findBinaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql (.ci/run does it)", e);
        }
    }
}
