package dev.kcintegrations.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.TestCertificates;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The stand-in for Field Service ({@code docs/field-service-standin/server.mjs}, run by node): it hosts the plugin
 * built on Oracle's {@code @ofs-users/plugin} and answers REST calls for tokens that verify against the realm's
 * JWKS with jose. It tells the test what it verified, one JSON line per call.
 */
final class FieldServiceStandIn implements AutoCloseable {

    private final Process node;
    private final String origin;
    private final List<JsonNode> calls = new CopyOnWriteArrayList<>();

    private FieldServiceStandIn(Process node, String origin) {
        this.node = node;
        this.origin = origin;
    }

    /**
     * @param issuer the realm's URL as its tokens name it ({@code iss})
     * @param jwks   where the stand-in reads the realm's keys (the plain-http loopback URL: it trusts no test certificate)
     */
    static FieldServiceStandIn start(String issuer, String jwks, String audience) {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        try {
            Process node = new ProcessBuilder("node", "server.mjs", "--pfx", TestCertificates.keyStore().toString(),
                    "--passphrase", TestCertificates.PASSWORD, "--issuer", issuer, "--jwks", jwks, "--audience", audience)
                    .directory(root.resolve("docs/field-service-standin").toFile()).redirectErrorStream(true).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("{\"url\":")) {
                node.destroyForcibly();
                throw new AssertionError("docs/field-service-standin/server.mjs did not start: " + first);
            }
            FieldServiceStandIn standIn = new FieldServiceStandIn(node, Http.JSON.readTree(first).get("url").asText());
            Thread.ofVirtual().start(() -> standIn.read(lines));
            return standIn;
        } catch (IOException e) {
            throw new AssertionError("Could not run node docs/field-service-standin/server.mjs", e);
        }
    }

    private void read(BufferedReader lines) {
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                calls.add(Http.JSON.readTree(line));
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    /** {@code https://localhost:<port>}: where the plugin is hosted and the REST API answers. */
    String origin() {
        return origin;
    }

    String pluginPage() {
        return origin + "/plugin/index.html";
    }

    /** Each REST call: {@code {"path":…,"verified":true,"sub":…,"aud":…}} or {@code {…,"verified":false,"refused":…}}. */
    List<JsonNode> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void close() {
        node.destroy();
    }
}
