package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Verifies a received delivery the way a receiver would, with independent npm libraries run by node from
 * {@code docs/webhook-receiver/}, not with the project's own signing code: the Standard Webhooks headers with
 * the reference library ({@code verify.js}), {@code Concur-Signature} with {@code jose} and the realm's
 * webhook JWKS alone ({@code verify-concur-signature.js}).
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
        return runs("verify.js", input);
    }

    /** {@code Concur-Signature} checked by {@code jose} against the JWKS at {@code jwks}. */
    static boolean concurSignatureValid(java.net.URI jwks, WebhookReceiver.Received request) {
        ObjectNode input = Http.JSON.createObjectNode();
        input.put("jwks", jwks.toString());
        input.put("signature", request.header("concur-signature"));
        input.put("body", request.body());
        return runs("verify-concur-signature.js", input);
    }

    private static boolean runs(String script, ObjectNode input) {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        try {
            Process node = new ProcessBuilder("node", script).directory(root.resolve("docs/webhook-receiver").toFile())
                    .redirectErrorStream(true).start();
            node.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
            node.getOutputStream().close();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new AssertionError(script + " did not finish");
            }
            // Only the verifier's own verdict counts: a missing node or package fails the test, it does not pass a negative check.
            if (node.exitValue() == 0 && output.startsWith("verified ")) {
                return true;
            }
            if (node.exitValue() == 1 && output.startsWith("refused: ")) {
                System.out.println(script + ": " + output);
                return false;
            }
            throw new AssertionError("node " + script + " did not give a verdict (exit " + node.exitValue() + "): " + output);
        } catch (IOException e) {
            throw new AssertionError("Could not run node docs/webhook-receiver/" + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
