package dev.kcintegrations.testing;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * A Keycloak someone else started, typically {@code ./run-demo.sh}: the tests attach to it instead of booting
 * their own, so one test class runs in seconds while a change is being written
 * ({@code -Dkeycloak.backend=running}, URL {@code -Dkeycloak.url}, default {@code http://localhost:8080}).
 * It is never stopped, killed or restarted by a test; classes that need a server of their own still start one.
 */
final class RunningServer implements KeycloakServer {

    private final URI baseUrl;

    private RunningServer(URI baseUrl) {
        this.baseUrl = baseUrl;
    }

    static RunningServer attach() {
        URI url = URI.create(System.getProperty("keycloak.url", "http://localhost:8080"));
        RunningServer server = new RunningServer(url);
        Http.Reply ready = Http.get(server.managementUrl().resolve("/health/ready"), Map.of());
        if (ready.status() != 200) {
            throw new IllegalStateException("No ready Keycloak at " + url + " (management " + server.managementUrl()
                    + "): start ./run-demo.sh first, or leave -Dkeycloak.backend unset to boot one");
        }
        return server;
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    /** {@code ./run-demo.sh} listens on HTTPS at 8443 beside HTTP at 8080 ({@code -Dkeycloak.https.url}). */
    @Override
    public Optional<URI> httpsUrl() {
        return Optional.of(URI.create(System.getProperty("keycloak.https.url", "https://localhost:8443")));
    }

    /** The management interface, at 9000 as {@code ./run-demo.sh} and Keycloak's default have it. */
    @Override
    public URI managementUrl() {
        return URI.create(baseUrl.getScheme() + "://" + baseUrl.getHost() + ":" + System.getProperty("keycloak.management.port", "9000"));
    }

    @Override
    public String logTail(int lines) {
        return "(attached to a running server at " + baseUrl + ": its log is where it was started)";
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
