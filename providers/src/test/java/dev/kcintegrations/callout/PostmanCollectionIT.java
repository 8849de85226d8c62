package dev.kcintegrations.callout;

import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Postman collection shipped for administrators passes when Newman runs it against the real server. */
@KeycloakIntegrationTest
class PostmanCollectionIT {

    @Test
    void shippedCollectionPassesUnderNewman(Keycloak keycloak) throws IOException, InterruptedException {
        Path postman = Path.of(System.getProperty("project.root")).resolve("docs/postman").toAbsolutePath().normalize();
        Path newman = postman.resolve("node_modules/.bin/newman");
        assertTrue(Files.isExecutable(newman), "Newman is not installed (the build runs 'npm ci' in docs/postman)");
        Process run = new ProcessBuilder(List.of(newman.toString(), "run", "callout-token.postman_collection.json",
                "--env-var", "baseUrl=" + keycloak.baseUrl(),
                "--reporters", "cli", "--color", "off", "--disable-unicode"))
                .directory(postman.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(run.getInputStream().readAllBytes());
        assertTrue(run.waitFor(2, TimeUnit.MINUTES), "Newman did not finish");
        System.out.println(output);
        assertEquals(0, run.exitValue(), output);
        assertTrue(output.contains("assertions"), output);
    }
}
