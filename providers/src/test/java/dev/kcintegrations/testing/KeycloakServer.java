package dev.kcintegrations.testing;

import java.net.URI;
import java.util.Optional;

/** A running Keycloak with this project installed, whichever backend started it. */
public interface KeycloakServer extends AutoCloseable {

    /** e.g. {@code http://127.0.0.1:41234}; realms are under {@code /realms/…}. */
    URI baseUrl();

    /** The server on HTTPS, {@code https://localhost:<port>}, when it listens there (a self-signed certificate). */
    default Optional<URI> httpsUrl() {
        return Optional.empty();
    }

    /** The management interface (health, metrics). */
    URI managementUrl();

    /** The last lines of the server log, for a failing test's report. */
    String logTail(int lines);

    /** Kills the server like a crash (SIGKILL); for fault tests. */
    default void kill() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be killed");
    }

    /** Starts a stopped or killed server again with its data kept; returns the running server. */
    default KeycloakServer restart() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be restarted");
    }

    @Override
    void close();
}
