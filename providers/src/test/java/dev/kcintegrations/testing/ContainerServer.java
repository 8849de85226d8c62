package dev.kcintegrations.testing;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import org.testcontainers.utility.MountableFile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The second backend: the official Keycloak image via testcontainers-keycloak, for machines with a Docker
 * engine ({@code -Dkeycloak.backend=testcontainers}). Installs the same JAR, themes and realm files as
 * {@code docker/install.sh} does for the distribution backend.
 */
final class ContainerServer implements KeycloakServer {

    private final KeycloakContainer container;

    private ContainerServer(KeycloakContainer container) {
        this.container = container;
    }

    static ContainerServer start(String version, Path providersJar, Path projectRoot) {
        KeycloakContainer container = new KeycloakContainer("quay.io/keycloak/keycloak:" + version)
                .withAdminUsername("admin")
                .withAdminPassword("admin")
                .withProviderLibsFrom(providerJars(providersJar))
                .withEnabledMetrics()
                .withCustomCommand("--import-realm " + String.join(" ", DistributionServer.SERVER_OPTIONS));
        container.withCopyFileToContainer(MountableFile.forHostPath(projectRoot.resolve("themes")), "/opt/keycloak/themes");
        try (Stream<Path> realms = Files.list(projectRoot.resolve("realm-config"))) {
            realms.filter(p -> p.toString().endsWith(".json")).forEach(realm -> container.withCopyFileToContainer(
                    MountableFile.forHostPath(realm), "/opt/keycloak/data/import/" + realm.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        container.start();
        return new ContainerServer(container);
    }

    @Override
    public URI baseUrl() {
        return URI.create(container.getAuthServerUrl().replaceAll("/$", ""));
    }

    @Override
    public URI managementUrl() {
        return URI.create(container.getMgmtServerUrl().replaceAll("/$", ""));
    }

    @Override
    public String logTail(int lines) {
        String[] all = container.getLogs().split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    @Override
    public void close() {
        container.stop();
    }

    /** The product JAR, plus the test-only fault-injection providers when they were built. */
    private static List<File> providerJars(Path providersJar) {
        String testProviders = System.getProperty("keycloak.test.providers.jar");
        if (testProviders != null && Files.isRegularFile(Path.of(testProviders))) {
            return List.of(providersJar.toFile(), Path.of(testProviders).toFile());
        }
        return List.of(providersJar.toFile());
    }
}
