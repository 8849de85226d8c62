package dev.kcintegrations.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The integration tests' one way of waiting for the server. */
class AwaitTest {

    @Test
    void returnsTheFirstAnswerThatIsTheAwaitedOne() {
        AtomicInteger asked = new AtomicInteger();
        assertEquals(3, Await.until("the third answer", Duration.ofSeconds(5), asked::incrementAndGet, n -> n >= 3));
        assertEquals(3, asked.get(), "asked no more than needed");
    }

    @Test
    void failsSayingWhatWasAwaitedAndTheLastAnswerSeen() {
        AssertionError failed = assertThrows(AssertionError.class,
                () -> Await.until("a green light", Duration.ofMillis(300), () -> "red", "green"::equals));
        assertTrue(failed.getMessage().contains("a green light") && failed.getMessage().endsWith("the last answer: red"), failed.getMessage());
    }

    @Test
    void anExceptionOfTheProbeEndsTheWaitAtOnce() {
        AssertionError failed = assertThrows(AssertionError.class,
                () -> Await.until("keys", Duration.ofSeconds(30), () -> { throw new IOException("refused"); }));
        assertInstanceOf(IOException.class, failed.getCause());
    }
}
