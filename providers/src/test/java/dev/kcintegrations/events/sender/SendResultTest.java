package dev.kcintegrations.events.sender;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SendResultTest {

    /** A receiver that echoes its request puts no live token into the attempt log. */
    @Test
    void aTokenEchoedInTheAnswerIsNotKept() {
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJhenAiOiJ3ZWJob29rLXNlbmRlciJ9.c2lnbmF0dXJl-_x";
        SendResult result = SendResult.answered(400, 12, "{\"got\":\"Bearer " + token + "\",\"why\":\"bad\"}", Optional.empty());
        assertEquals("{\"got\":\"Bearer " + SendResult.WITHOUT_TOKENS + "\",\"why\":\"bad\"}", result.responseExcerpt());
        assertEquals("plain text", SendResult.answered(200, 1, "plain text", Optional.empty()).responseExcerpt());
    }
}
