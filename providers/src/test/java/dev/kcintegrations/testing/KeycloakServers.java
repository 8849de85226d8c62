package dev.kcintegrations.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Starts servers from what Maven's failsafe/exec configuration passes in system properties. */
public final class KeycloakServers {

    private KeycloakServers() {
    }

    /**
     * The backend chosen by {@code -Dkeycloak.backend=distribution|testcontainers|running}; {@code running}
     * attaches to a server already up ({@link RunningServer}), the fast loop while writing a test.
     */
    public static KeycloakServer start() {
        return start(SHARED_LANE);
    }

    /** The lane of the shared-server classes, and its run directory's name ({@code single-<pid>}). */
    public static final String SHARED_LANE = "single";

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

    /** The lanes' servers of this run, each started by the first test (of any engine) that asks for it. */
    private static final Map<String, LaneServer> LANES = new ConcurrentHashMap<>();

    /**
     * The server of {@code lane} ({@link TestTags}) for the whole run: started by the first class that needs it, of
     * JUnit Jupiter or of jqwik (whose properties run after Jupiter's classes, on the server they left up), closed when
     * the run ends ({@link LaneServersClosing}).
     */
    public static KeycloakServer ofLane(String lane) {
        return LANES.computeIfAbsent(lane, LaneServer::new).server();
    }

    /** The lane's server if one was started. */
    static Optional<KeycloakServer> startedOfLane(String lane) {
        LaneServer started = LANES.get(lane);
        return started == null ? Optional.empty() : started.started();
    }

    static void closeLanes() {
        LANES.values().forEach(LaneServer::close);
        LANES.clear();
    }

    /** Started once, outside the map's lock: two lanes' servers boot side by side. */
    private static final class LaneServer {
        private final String lane;
        private KeycloakServer server;

        LaneServer(String lane) {
            this.lane = lane;
        }

        synchronized KeycloakServer server() {
            if (server == null) {
                server = start(lane);
            }
            return server;
        }

        synchronized Optional<KeycloakServer> started() {
            return Optional.ofNullable(server);
        }

        synchronized void close() {
            if (server != null) {
                server.close();
            }
        }
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
