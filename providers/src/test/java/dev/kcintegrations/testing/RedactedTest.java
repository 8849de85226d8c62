package dev.kcintegrations.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tokens and webhook secrets never reach a test report whole. */
class RedactedTest {

    @Test
    void aJwtKeepsOnlyItsFirstCharacters() {
        assertEquals("{\"token\":\"eyJhbGciO…(token)\",\"status\":\"success\"}",
                Redacted.of("{\"token\":\"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZWNobmljaWFuIn0.c2lnbmF0dXJl\",\"status\":\"success\"}"));
    }

    @Test
    void aWebhookSecretIsHidden() {
        assertEquals("secret whsec_…(secret) for the receiver", Redacted.of("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw for the receiver"));
    }

    @Test
    void textWithoutSecretsIsLeftAsItIs() {
        assertEquals("HTTP 200 in 34 ms", Redacted.of("HTTP 200 in 34 ms"));
    }
}
