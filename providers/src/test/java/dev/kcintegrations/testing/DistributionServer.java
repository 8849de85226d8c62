package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keycloak from the real distribution zip (unpacked by Maven from Central), run as a child process on
 * free loopback ports with this project installed by {@code docker/install.sh}.
 */
final class DistributionServer implements KeycloakServer {

    private static final Duration STARTUP = Duration.ofMinutes(4);
    /** Test receivers run on loopback: the server lets realms allow-list it (as run-demo.sh does). */
    static final String LOOPBACK_WEBHOOKS = "--spi-events-listener--webhook-events--allowed-hosts=127.0.0.1,localhost";
    /**
     * The options every test server runs with, whichever backend starts it (ContainerServer passes the same):
     * as run-demo.sh, health and metrics on, the declarative UI for this project's Realm settings ->
     * Environment tab, and webhooks allowed to reach the tests' receivers on loopback.
     */
    static final List<String> SERVER_OPTIONS = List.of("--health-enabled=true", "--metrics-enabled=true",
            "--features=declarative-ui,client-secret-rotation", LOOPBACK_WEBHOOKS);

    private final Process process;
    private final Path log;
    private final URI baseUrl;
    private final URI managementUrl;
    private final List<String> command;
    private final Path home;
    private final String jvmOptions;

    private DistributionServer(Process process, Path log, URI baseUrl, URI managementUrl, List<String> command, Path home,
                               String jvmOptions) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
        this.managementUrl = managementUrl;
        this.command = command;
        this.home = home;
        this.jvmOptions = jvmOptions;
    }

    /** Settings of one node; {@code extraArgs} add SPI options and the like. */
    record Settings(Path distribution, Path providersJar, Path projectRoot, Path runDirectory, List<String> extraArgs) {
    }

    static DistributionServer start(Settings settings) {
        try {
            Path home = settings.runDirectory().resolve("keycloak");
            deleteRecursively(settings.runDirectory());
            copyRecursively(BuiltHomes.dev(settings), home);
            List<String> command = devCommand(home, freePort(), freePort(), freePort());
            command.addAll(settings.extraArgs());
            return launchDev(command, home, settings.runDirectory().resolve("server.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code kc.sh start-dev} on loopback with the options every test server has; the caller adds its own. */
    static List<String> devCommand(Path home, int httpPort, int httpsPort, int managementPort) {
        List<String> command = new ArrayList<>(List.of(
                home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + httpPort,
                // HTTPS besides, with a self-signed certificate: for the pages that embed plugins (see TestCertificates).
                "--https-port=" + httpsPort,
                "--https-key-store-file=" + TestCertificates.keyStore(),
                "--https-key-store-password=" + TestCertificates.PASSWORD,
                "--truststore-paths=" + TestCertificates.certificatePem(), // the tests' HTTPS receivers serve that certificate
                "--http-management-scheme=http", // health and metrics stay on plain HTTP, as the tests read them
                "--http-management-port=" + managementPort,
                "--http-management-host=127.0.0.1",
                "--import-realm"));
        command.addAll(SERVER_OPTIONS);
        return command;
    }

    private static String managementPort(List<String> command) {
        return command.stream().filter(option -> option.startsWith("--http-management-port=")).findFirst().orElseThrow()
                .substring("--http-management-port=".length());
    }

    /** Runs a {@link #devCommand} in {@code home} and waits until the server is ready. */
    static DistributionServer launchDev(List<String> command, Path home, Path log) throws IOException {
        return launch(command, home, log, URI.create("http://127.0.0.1:" + command.get(3).substring("--http-port=".length())),
                URI.create("http://127.0.0.1:" + managementPort(command)), DEV_JVM_OPTIONS);
    }

    /**
     * Dev-mode test servers run C1-compiled code only. They live a few minutes at most, and on two cores C2's compiler
     * threads cost more than its faster code returns: measured on this machine, a boot took 11–13 CPU seconds instead
     * of 19–20 and 3,000 requests after it 16 instead of 28 (and 40.9 s instead of 46.0 s). Cluster nodes keep C2: their
     * drains of 20,000 rows sign with RSA, which C2's BigInteger intrinsics make several times cheaper; a cluster whose
     * tests send a few hundred events may ask for C1 too ({@link KeycloakCluster.Jit#QUICK}).
     */
    static final String DEV_JVM_OPTIONS = "-XX:TieredStopAtLevel=1";

    /**
     * A production-mode node ({@code kc.sh start --optimized} of a home built for PostgreSQL, see
     * {@link BuiltHomes#cluster}) of a cluster: embedded Infinispan with jdbc-ping discovery over the shared
     * database, bound to 127.0.0.1.
     *
     * @param cpu the one CPU the node may run on (its threads inherit {@code taskset}'s affinity); -1: any */
    static DistributionServer startClusterNode(Settings settings, String hostname, String jdbcUrl, int httpPort,
                                               int managementPort, int jgroupsPort, int cpu, String jvmOptions) {
        try {
            Path home = settings.runDirectory().resolve("keycloak");
            deleteRecursively(settings.runDirectory());
            copyRecursively(BuiltHomes.cluster(settings), home);
            Path log = settings.runDirectory().resolve("server.log");
            List<String> command = new ArrayList<>(cpu < 0 ? List.of() : List.of("taskset", "-c", Integer.toString(cpu)));
            command.addAll(List.of(
                    home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                    "--http-enabled=true",
                    "--http-host=127.0.0.1",
                    "--http-port=" + httpPort,
                    "--http-management-port=" + managementPort,
                    "--http-management-host=127.0.0.1",
                    "--hostname=" + hostname,
                    "--hostname-backchannel-dynamic=true",
                    "--db-url=" + jdbcUrl,
                    "--db-username=" + PostgresServer.USER,
                    "--db-password=trust-on-loopback",
                    "--cache=ispn",
                    "--cache-stack=jdbc-ping",
                    LOOPBACK_WEBHOOKS,
                    "--cache-embedded-network-bind-address=127.0.0.1",
                    "--cache-embedded-network-bind-port=" + jgroupsPort,
                    "--import-realm"));
            command.addAll(settings.extraArgs());
            return launch(command, home, log, URI.create("http://127.0.0.1:" + httpPort), URI.create("http://127.0.0.1:" + managementPort),
                    jvmOptions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code https://localhost:<port>} when the server listens on HTTPS too (dev-mode servers do). */
    @Override
    public Optional<URI> httpsUrl() {
        return command.stream().filter(option -> option.startsWith("--https-port=")).findFirst()
                .map(option -> URI.create("https://localhost:" + option.substring("--https-port=".length())));
    }

    /** The whole server log so far. */
    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private static DistributionServer launch(List<String> command, Path home, Path log, URI baseUrl, URI managementUrl, String jvmOptions)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", Jdk.find().toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        env.merge("JAVA_OPTS_APPEND", jvmOptions, (given, ours) -> ours.isEmpty() ? given : given + " " + ours); // a caller's own kept
        for (int attempt = 1; ; attempt++) {
            long logged = Files.exists(log) ? Files.size(log) : 0;
            Process process = builder.start();
            DistributionServer server = new DistributionServer(process, log, baseUrl, managementUrl, command, home, jvmOptions);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            try {
                server.awaitReady();
                return server;
            } catch (IllegalStateException failed) {
                if (attempt == 3 || process.isAlive() || !hitKnownBuildRace(log, logged)) {
                    throw failed;
                }
                System.out.println("Keycloak's build hit keycloak#47482 (a race between two build steps); starting again");
            }
        }
    }

    /**
     * Keycloak 26.7's augmentation can fail at random when a provider JAR brings JPA entities, as ours does:
     * two build steps share a list ({@code ConcurrentModificationException} in
     * {@code contributePersistenceXmlToJpaModel}, keycloak#47482, fixed in 26.8.0). The same command succeeds
     * when run again; docker/build.sh does the same for the image.
     */
    static boolean hitKnownBuildRace(Path log, long from) {
        try {
            String text = Files.readString(log);
            String attempt = text.substring((int) Math.min(from, text.length()));
            return attempt.contains("ConcurrentModificationException") && attempt.contains("contributePersistenceXmlToJpaModel");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts this server again in the same directory on the same ports, keeping its database (the dev
     * H2 file under {@code data/}): what an administrator's restart after a crash does.
     */
    @Override
    public DistributionServer restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("Stop or kill the server before restarting it");
        }
        try {
            return launch(command, home, log, baseUrl, managementUrl, jvmOptions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void install(Settings settings, Path home) throws IOException {
        String testProviders = System.getProperty("keycloak.test.providers.jar");
        if (testProviders != null && Files.isRegularFile(Path.of(testProviders))) {
            // Test-only providers (fault injection); never part of the product JAR or image.
            Files.copy(Path.of(testProviders), home.resolve("providers").resolve(Path.of(testProviders).getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Path script = settings.projectRoot().resolve("docker/install.sh");
        Process install = new ProcessBuilder("bash", script.toString(), home.toString(), settings.providersJar().toString())
                .redirectErrorStream(true).start();
        String output = new String(install.getInputStream().readAllBytes());
        try {
            if (install.waitFor() != 0) {
                throw new IllegalStateException("docker/install.sh failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = managementUrl.resolve("/health/ready");
        Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + ":\n" + logTail(60));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause(Duration.ofMillis(500));
        }
        close();
        throw new IllegalStateException("Keycloak not ready within " + STARTUP + ":\n" + logTail(60));
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public URI managementUrl() {
        return managementUrl;
    }

    Path log() {
        return log;
    }

    @Override
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server by its own process id: SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Kills the server like a crash would (SIGKILL), for fault tests. */
    @Override
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void copyRecursively(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
