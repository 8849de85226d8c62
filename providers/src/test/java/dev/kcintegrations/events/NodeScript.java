package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the receivers' scripts in {@code docs/webhook-receiver/} with node: the independent npm libraries
 * a receiver would use (Standard Webhooks, jose, the CloudEvents SDK, the AsyncAPI parser, Ajv), never the
 * project's own code. The input goes to its stdin as JSON.
 */
final class NodeScript {

    record Result(int exit, String output) {
    }

    private NodeScript() {
    }

    static Result run(String script, JsonNode input) {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        try {
            Process node = new ProcessBuilder("node", script).directory(root.resolve("docs/webhook-receiver").toFile())
                    .redirectErrorStream(true).start();
            node.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new AssertionError(script + " did not finish");
            }
            return new Result(node.exitValue(), output);
        } catch (IOException e) {
            throw new AssertionError("Could not run node docs/webhook-receiver/" + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
