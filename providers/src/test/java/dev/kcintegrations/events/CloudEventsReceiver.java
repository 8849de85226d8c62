package dev.kcintegrations.events;

import dev.kcintegrations.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.io.UncheckedIOException;

/**
 * A webhook receiver written with the CloudEvents SDK, run by node ({@code docs/webhook-receiver/cloudevents-receiver.js}):
 * it answers 204 to a CloudEvent the SDK reads and validates, 400 to anything else, and tells the test what it
 * read, one JSON line per request.
 */
final class CloudEventsReceiver implements AutoCloseable {

    private final Process node;
    private final int port;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private CloudEventsReceiver(Process node, int port) {
        this.node = node;
        this.port = port;
    }

    static CloudEventsReceiver start() {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        try {
            Process node = new ProcessBuilder("node", "cloudevents-receiver.js", "0")
                    .directory(root.resolve("docs/webhook-receiver").toFile()).redirectErrorStream(true).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("{\"port\":")) {
                node.destroyForcibly();
                throw new AssertionError("cloudevents-receiver.js did not start: " + first);
            }
            CloudEventsReceiver receiver = new CloudEventsReceiver(node, Http.JSON.readTree(first).get("port").asInt());
            Thread.ofVirtual().start(() -> receiver.read(lines));
            return receiver;
        } catch (IOException e) {
            throw new AssertionError("Could not run node docs/webhook-receiver/cloudevents-receiver.js", e);
        }
    }

    private void read(BufferedReader lines) {
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                requests.add(Http.JSON.readTree(line));
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** What the receiver made of each request: {@code {"ok":true,"event":{…}}} or {@code {"ok":false,"error":…}}. */
    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The first request that matches, waiting up to {@code timeout} for it. */
    JsonNode await(Predicate<JsonNode> which, Duration timeout) {
        try {
            return Await.until("a matching request", timeout, Duration.ofMillis(100),
                    () -> requests.stream().filter(which).findFirst(), Optional::isPresent).orElseThrow();
        } catch (AssertionError notYet) {
            throw new AssertionError("The CloudEvents receiver got no such request in " + timeout + "; it got " + requests);
        }
    }

    @Override
    public void close() {
        node.destroy();
    }

    static JsonNode cloudEvent(List<WebhookReceiver.Received> deliveries) {
        return deliveries.stream().filter(r -> r.body().contains("\"specversion\"")).findFirst()
                .map(r -> {
                    try {
                        return Http.JSON.readTree(r.body());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).orElseThrow(() -> new AssertionError("no CloudEvent among " + deliveries));
    }
}
