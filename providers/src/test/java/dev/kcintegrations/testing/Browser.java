package dev.kcintegrations.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One person's browser: Debian's chromium, started here headless with an empty profile and kept running
 * until {@link #close()}, driven step by step by {@code providers/src/test/browser/<script>} (puppeteer-core,
 * installed by the build, connecting to it). A step finds the Keycloak session the previous one signed in
 * with, as in a browser a person keeps open; screenshots go to {@code providers/target/screenshots/<name>/}.
 */
public final class Browser implements AutoCloseable {

    private static final long STEP_SECONDS = 120;
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final URI server;
    private final String script;
    private final Process chromium;
    private final String devtools;
    private final Path screenshots;

    private Browser(URI server, String script, Process chromium, String devtools, Path screenshots) {
        this.server = server;
        this.script = script;
        this.chromium = chromium;
        this.devtools = devtools;
        this.screenshots = screenshots;
    }

    /** A fresh browser (empty profile) for {@code script}'s steps against {@code server}. */
    public static Browser open(URI server, String script, String name) {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError("Debian's chromium is not installed (run-tests.sh installs it: apt-get install chromium)");
        }
        Path target = Path.of("target").toAbsolutePath();
        Path profile = target.resolve("browser-profiles/" + name + "-" + UUID.randomUUID());
        try {
            // The flags of a machine without outside network: nothing of Chromium's own reaches for Google's hosts.
            Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1440,1000",
                    // The test servers' HTTPS certificate is self-signed (TestCertificates), for these browsers only.
                    "--ignore-certificate-errors", "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank").redirectErrorStream(true).start();
            CompletableFuture<String> devtoolsFound = new CompletableFuture<>();
            // Reads chromium's output to its end (a full pipe would stall it) and picks the DevTools endpoint out of it.
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(chromium.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        Matcher matcher = DEVTOOLS.matcher(line);
                        if (matcher.find()) {
                            devtoolsFound.complete(matcher.group(1));
                        }
                    }
                } catch (IOException e) {
                    devtoolsFound.completeExceptionally(e);
                }
                devtoolsFound.completeExceptionally(new IOException("chromium ended"));
            }, "chromium-output");
            reader.setDaemon(true);
            reader.start();
            String devtools;
            try {
                devtools = devtoolsFound.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                chromium.destroyForcibly();
                throw new AssertionError("chromium did not open its DevTools endpoint in 30 s", e);
            }
            return new Browser(server, script, chromium, devtools, target.resolve("screenshots/" + name));
        } catch (IOException e) {
            throw new AssertionError("Could not start " + CHROMIUM, e);
        }
    }

    public Path screenshots() {
        return screenshots;
    }

    @Override
    public void close() {
        chromium.descendants().forEach(ProcessHandle::destroy);
        chromium.destroy();
        try {
            if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
                chromium.descendants().forEach(ProcessHandle::destroyForcibly);
                chromium.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one step with its arguments; its JSON answer, or an AssertionError with what the browser saw. */
    public JsonNode step(String step, Map<String, Object> arguments) {
        Path directory = Path.of(System.getProperty("project.root", "..")).resolve("providers/src/test/browser").toAbsolutePath();
        try {
            ProcessBuilder builder = new ProcessBuilder("node", script, step).directory(directory.toFile());
            builder.environment().putAll(Map.of("KC", server.toString(), "WS", devtools,
                    "SHOTS", screenshots.toString(), "STEP_ARGS", Http.JSON.writeValueAsString(arguments)));
            Process node = builder.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(node.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(node.getErrorStream()));
            if (!node.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly();
                // What the step told on its way (its stderr): where it was when it hung.
                String told = err.completeOnTimeout("", 5, TimeUnit.SECONDS).join().strip();
                throw new AssertionError("Browser step " + step + " did not finish in " + STEP_SECONDS + " s"
                        + (told.isEmpty() ? "" : "; it told: " + told));
            }
            String output = out.join().strip();
            String last = output.substring(output.lastIndexOf('\n') + 1);
            if (node.exitValue() != 0 || !last.startsWith("{")) {
                throw new AssertionError(Redacted.of("Browser step " + step + " failed (exit " + node.exitValue() + "): " + output + "\n" + err.join()));
            }
            JsonNode answer = Http.JSON.readTree(last);
            if (answer.has("error")) {
                throw new AssertionError(Redacted.of("Browser step " + step + ": " + answer.toPrettyString() + "\n(screenshots in " + screenshots + ")"));
            }
            System.out.println(Redacted.of("browser " + step + ": " + answer));
            // A script error, a failed request or an error logged on the page fails the step, whatever it checked.
            if (answer.has("problems") && !answer.get("problems").isEmpty()) {
                throw new AssertionError(Redacted.of("Browser step " + step + " saw problems on the page: " + answer.get("problems")));
            }
            return answer;
        } catch (IOException e) {
            throw new AssertionError("Could not run node " + script + " (the build installs puppeteer-core with npm ci)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
