package dev.kcintegrations.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Keycloak homes prepared once per test run and copied for every server that starts: the distribution with
 * this project installed by {@code docker/install.sh} and Keycloak's build (augmentation) done. A dev-mode home
 * has also been started once, so its H2 database already holds the schema and the imported demo realm; a
 * copy starts in about 9 s instead of about 38 s. Servers pass only runtime options beyond
 * {@link DistributionServer#SERVER_OPTIONS}; were one to pass a build-time option, {@code start-dev} would
 * notice the difference and build again, slower but still right.
 */
final class BuiltHomes {

    private static Path dev;
    private static Path cluster;

    private BuiltHomes() {
    }

    /** A dev-mode home, built and started once with the demo realm imported, then stopped. */
    static synchronized Path dev(DistributionServer.Settings like) throws IOException {
        if (dev == null) {
            Path run = like.runDirectory().resolveSibling("built-dev");
            Path home = installed(like, run);
            List<String> command = DistributionServer.devCommand(home, DistributionServer.freePort(),
                    DistributionServer.freePort(), DistributionServer.freePort());
            DistributionServer.launchDev(command, home, run.resolve("server.log")).close();
            DistributionServer.deleteRecursively(home.resolve("data/tmp"));
            dev = home;
        }
        return dev;
    }

    /** A production-mode home built for PostgreSQL by {@code docker/build.sh}, as the image is. */
    static synchronized Path cluster(DistributionServer.Settings like) throws IOException {
        if (cluster == null) {
            Path run = like.runDirectory().getParent().resolveSibling("built-cluster");
            Path home = installed(like, run);
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
            cluster = home;
        }
        return cluster;
    }

    private static Path installed(DistributionServer.Settings like, Path run) throws IOException {
        DistributionServer.deleteRecursively(run);
        Path home = run.resolve("keycloak");
        DistributionServer.copyRecursively(like.distribution(), home);
        DistributionServer.install(like, home);
        return home;
    }
}
