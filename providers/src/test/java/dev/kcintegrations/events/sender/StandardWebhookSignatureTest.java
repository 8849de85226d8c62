package dev.kcintegrations.events.sender;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardWebhookSignatureTest {

    /** The example of the Standard Webhooks specification and its reference libraries' tests. */
    @Test
    void signsTheSpecificationsExampleToItsPublishedSignature() {
        String signature = StandardWebhookSignature.header(List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void twoSecretsGiveTwoSpaceSeparatedSignatures() {
        String header = StandardWebhookSignature.header(List.of(WebhookSecrets.generate(), WebhookSecrets.generate()),
                "id", 1, new byte[0]);
        assertEquals(2, header.split(" ").length);
        assertTrue(header.startsWith("v1,"));
    }

    @Test
    void generatedSecretsHaveThePrefixAnd32Bytes() {
        String secret = WebhookSecrets.generate();
        assertTrue(secret.startsWith("whsec_"));
        assertEquals(32, WebhookSecrets.key(secret).length);
    }
}
