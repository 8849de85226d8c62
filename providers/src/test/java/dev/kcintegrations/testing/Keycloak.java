package dev.kcintegrations.testing;

import java.net.URI;

/** What a test sees of the shared server: its URLs and an admin API client. */
public final class Keycloak {

    private final KeycloakServer server;
    private final AdminApi admin;

    public Keycloak(KeycloakServer server) {
        this.server = server;
        this.admin = new AdminApi(server.baseUrl());
    }

    public URI baseUrl() {
        return server.baseUrl();
    }

    /** {@code https://localhost:<port>}: the same server over HTTPS, with the tests' self-signed certificate. */
    public URI httpsUrl() {
        return server.httpsUrl().orElseThrow(() -> new IllegalStateException("This server does not listen on HTTPS"));
    }

    public URI managementUrl() {
        return server.managementUrl();
    }

    /** e.g. {@code realmUrl("integrations", "/oauth-compat/token")}. */
    public URI realmUrl(String realm, String path) {
        return server.baseUrl().resolve("/realms/" + realm + path);
    }

    public AdminApi admin() {
        return admin;
    }

    public String logTail(int lines) {
        return server.logTail(lines);
    }
}
