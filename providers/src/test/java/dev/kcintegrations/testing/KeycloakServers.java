package dev.kcintegrations.testing;

import java.nio.file.Path;
import java.util.List;

/** Starts servers from what Maven's failsafe/exec configuration passes in system properties. */
public final class KeycloakServers {

    private KeycloakServers() {
    }

    /**
     * The backend chosen by {@code -Dkeycloak.backend=distribution|testcontainers|running}; {@code running}
     * attaches to a server already up ({@link RunningServer}), the fast loop while writing a test.
     */
    public static KeycloakServer start() {
        return start("single");
    }

    /** The same, for one lane of shared-server classes ({@link TestTags}): {@code lane} names its run directory. */
    public static KeycloakServer start(String lane) {
        String backend = System.getProperty("keycloak.backend", "distribution");
        return switch (backend) {
            case "distribution" -> startDistribution(lane + "-" + ProcessHandle.current().pid()); // one per lane and test JVM
            case "testcontainers" -> ContainerServer.start(required("keycloak.version"), providersJar(), projectRoot());
            case "running" -> RunningServer.attach();
            default -> throw new IllegalArgumentException("Unknown keycloak.backend: " + backend);
        };
    }

    /** A distribution server in its own run directory {@code target/keycloak-run/<name>}. */
    public static KeycloakServer startDistribution(String name) {
        return startDistribution(name, List.of());
    }

    /** The same, with extra {@code kc.sh} arguments such as SPI options. */
    public static KeycloakServer startDistribution(String name, List<String> extraArgs) {
        return DistributionServer.start(new DistributionServer.Settings(Path.of(required("keycloak.dist")), providersJar(),
                projectRoot(), Path.of(required("keycloak.run.dir")).resolve(name), extraArgs));
    }

    private static Path providersJar() {
        return Path.of(required("keycloak.providers.jar"));
    }

    private static Path projectRoot() {
        return Path.of(required("project.root")).toAbsolutePath().normalize();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("System property " + property + " is not set (run through Maven)");
        }
        return value;
    }
}
