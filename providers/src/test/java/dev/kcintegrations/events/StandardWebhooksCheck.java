package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Verifies a received delivery with the Standard Webhooks reference library (npm {@code standardwebhooks},
 * run by node from {@code docs/webhook-receiver/verify.js}), not with the project's own signing code.
 */
final class StandardWebhooksCheck {

    private StandardWebhooksCheck() {
    }

    static boolean valid(String secret, WebhookReceiver.Received request) {
        ObjectNode input = Http.JSON.createObjectNode();
        input.put("secret", secret);
        ObjectNode headers = input.putObject("headers");
        for (String name : new String[]{"webhook-id", "webhook-timestamp", "webhook-signature"}) {
            headers.put(name, request.header(name));
        }
        input.put("body", request.body());
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        try {
            Process node = new ProcessBuilder("node", "verify.js").directory(root.resolve("docs/webhook-receiver").toFile())
                    .redirectErrorStream(true).start();
            node.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new AssertionError("verify.js did not finish");
            }
            if (node.exitValue() != 0) {
                System.out.println("Standard Webhooks verifier: " + output);
            }
            return node.exitValue() == 0 && output.startsWith("verified ");
        } catch (IOException e) {
            throw new AssertionError("Could not run node docs/webhook-receiver/verify.js", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
