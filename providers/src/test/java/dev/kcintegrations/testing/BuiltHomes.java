package dev.kcintegrations.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Keycloak homes prepared once per test run and copied for every server that starts: the distribution with
 * this project installed by {@code docker/install.sh} and Keycloak's build (augmentation) done. A dev-mode home
 * has also been started once, so its H2 database already holds the schema and the imported demo realm; a
 * copy starts in about 9 s instead of about 38 s. Servers pass only runtime options beyond
 * {@link DistributionServer#SERVER_OPTIONS}; were one to pass a build-time option, {@code start-dev} would
 * notice the difference and build again, slower but still right.
 *
 * <p>Failsafe may run test classes in several JVMs at once ({@code -DforkCount}): the first to need a home builds
 * it under a file lock, the others wait for it. A home is stamped with the Maven run that built it ({@code test.run.id}), so a later
 * run never starts the JAR an earlier one installed.
 */
final class BuiltHomes {

    /** One lock per kind of home: the cluster lane's build must not hold up the dev servers' (lanes: TestTags). */
    private static final Object DEV = new Object();
    private static final Object CLUSTER = new Object();

    private BuiltHomes() {
    }

    /** A dev-mode home, built and started once with the demo realm imported, then stopped. */
    static Path dev(DistributionServer.Settings like) throws IOException {
        Path run = like.runDirectory().resolveSibling("built-dev");
        synchronized (DEV) {
            return once(run, home -> {
                List<String> command = DistributionServer.devCommand(home, DistributionServer.freePort(),
                        DistributionServer.freePort(), DistributionServer.freePort());
                DistributionServer.launchDev(command, home, run.resolve("server.log")).close();
                DistributionServer.deleteRecursively(home.resolve("data/tmp"));
            }, like);
        }
    }

    /** A production-mode home built for PostgreSQL by {@code docker/build.sh}, as the image is. */
    static Path cluster(DistributionServer.Settings like) throws IOException {
        Path run = like.runDirectory().getParent().resolveSibling("built-cluster");
        synchronized (CLUSTER) {
            return buildCluster(run, like);
        }
    }

    private static Path buildCluster(Path run, DistributionServer.Settings like) throws IOException {
        return once(run, home -> {
            Path log = run.resolve("build.log");
            ProcessBuilder builder = new ProcessBuilder("bash", like.projectRoot().resolve("docker/build.sh").toString(), home.toString())
                    .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", Jdk.find().toString());
            try {
                if (builder.start().waitFor() != 0) {
                    throw new IllegalStateException("kc.sh build failed; see " + log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, like);
    }

    private interface Preparation {
        void prepare(Path home) throws IOException;
    }

    private static Path once(Path run, Preparation preparation, DistributionServer.Settings like) throws IOException {
        Path home = run.resolve("keycloak");
        Path stamp = run.resolveSibling(run.getFileName() + ".built");
        String runId = System.getProperty("test.run.id", "unstamped-" + ProcessHandle.current().pid());
        Files.createDirectories(run.getParent());
        try (FileChannel channel = FileChannel.open(run.resolveSibling(run.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (Files.exists(stamp) && Files.readString(stamp).equals(runId)) {
                return home;
            }
            Files.deleteIfExists(stamp);
            DistributionServer.deleteRecursively(run);
            DistributionServer.copyRecursively(like.distribution(), home);
            DistributionServer.install(like, home);
            preparation.prepare(home);
            Files.writeString(stamp, runId);
            return home;
        }
    }
}
