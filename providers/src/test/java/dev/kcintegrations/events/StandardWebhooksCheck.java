package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Http;

import java.net.URI;


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
    static boolean concurSignatureValid(URI jwks, WebhookReceiver.Received request) {
        ObjectNode input = Http.JSON.createObjectNode();
        input.put("jwks", jwks.toString());
        input.put("signature", request.header("concur-signature"));
        input.put("body", request.body());
        return runs("verify-concur-signature.js", input);
    }

    private static boolean runs(String script, ObjectNode input) {
        NodeScript.Result result = NodeScript.run(script, input);
        // Only the verifier's own verdict counts: a missing node or package fails the test, it does not pass a negative check.
        if (result.exit() == 0 && result.output().startsWith("verified ")) {
            return true;
        }
        if (result.exit() == 1 && result.output().startsWith("refused: ")) {
            System.out.println(script + ": " + result.output());
            return false;
        }
        throw new AssertionError("node " + script + " did not give a verdict (exit " + result.exit() + "): " + result.output());
    }
}
