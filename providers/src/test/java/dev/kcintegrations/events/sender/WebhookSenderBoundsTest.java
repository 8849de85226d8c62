package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.HostileReceiver.Behaviour;
import dev.kcintegrations.events.HostileReceiver;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A webhook receiver is a stranger: whatever it answers, one attempt costs a bounded amount of memory and
 * time and ends as a failed attempt with a readable reason. Each test plays one hostile receiver against
 * the real sender over loopback.
 */
// Waits out timeouts and handshakes against receivers of its own: it runs beside the other unit tests, not after them;
// the lock keeps its own methods one after another.
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("WebhookSenderBoundsTest")
class WebhookSenderBoundsTest {

    static final Duration ATTEMPT = Duration.ofSeconds(2);
    /** Loopback socket buffers absorb a few MiB whatever the reader does; a sender that read on would take the GiB. */
    static final long FEW_BUFFERS = 32L << 20;
    static final byte[] BODY = "{\"id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);

    final HostileReceiver receiver = HostileReceiver.start();
    final WebhookSender sender = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(60), ATTEMPT, 8);
    final WebhookTargetPolicy loopback = new WebhookTargetPolicy(List.of("127.0.0.1"), InetAddress::getAllByName);

    @AfterEach
    void close() throws Exception {
        sender.close();
        receiver.close();
    }

    SendResult send(Behaviour behaviour) {
        receiver.behave(behaviour);
        return sender.send(loopback, receiver.url("/hook").toString(), BodyFormat.ESS, BODY, Map.of(), null);
    }

    @Test
    void endlessHeaderLineIsRefusedAsTooLargeWithoutReadingIt() {
        SendResult result = send(Behaviour.ENDLESS_HEADER_LINE);
        assertEquals("answer header too large", result.error());
        assertTrue(result.latencyMillis() < ATTEMPT.toMillis(), "refused at the bound, not at the deadline: " + result);
        assertTrue(receiver.bytesPushed() < FEW_BUFFERS, "took " + receiver.bytesPushed() + " bytes");
    }

    @Test
    void endlessStatusLineIsRefusedAsTooLarge() {
        SendResult result = send(Behaviour.ENDLESS_STATUS_LINE);
        assertEquals("answer header too large", result.error());
        assertTrue(receiver.bytesPushed() < FEW_BUFFERS, "took " + receiver.bytesPushed() + " bytes");
    }

    @Test
    void tenThousandHeadersAreRefusedAsTooMany() {
        SendResult result = send(Behaviour.TEN_THOUSAND_HEADERS);
        assertEquals("answer has too many headers", result.error());
    }

    @Test
    void gigabyteBodyIsCutAfterTheExcerpt() {
        SendResult result = send(Behaviour.GIGABYTE_BODY);
        assertEquals(200, result.httpStatus().orElseThrow(), result.toString());
        assertEquals(WebhookSender.EXCERPT_BYTES, result.responseExcerpt().length());
        assertTrue(result.latencyMillis() < ATTEMPT.toMillis(), "the rest is not read: " + result);
        assertTrue(receiver.bytesPushed() < FEW_BUFFERS, "took " + receiver.bytesPushed() + " bytes");
    }

    @Test
    void oneBytePerSecondCannotStretchTheAttemptBeyondItsDeadline() {
        SendResult result = send(Behaviour.ONE_BYTE_PER_SECOND);
        assertEquals("attempt deadline exceeded", result.error());
        assertWithinDeadline(result);
    }

    @Test
    void receiverThatNeverAnswersEndsAtTheDeadlineNotTheReadTimeout() {
        SendResult result = send(Behaviour.SILENT);
        assertEquals("attempt deadline exceeded", result.error());
        assertWithinDeadline(result);
    }

    @Test
    void stalledTlsHandshakeEndsAtTheDeadline() {
        receiver.behave(Behaviour.STALLED_HANDSHAKE);
        SendResult result = sender.send(loopback, receiver.url("https", "/hook").toString(), BodyFormat.ESS, BODY, Map.of(), null);
        assertEquals("attempt deadline exceeded", result.error());
        assertWithinDeadline(result);
    }

    @Test
    void silenceShorterThanTheDeadlineEndsAtTheReadTimeoutWithAReadableReason() throws Exception {
        for (Behaviour silent : List.of(Behaviour.SILENT, Behaviour.STALLED_HANDSHAKE)) {
            receiver.behave(silent);
            String scheme = silent == Behaviour.STALLED_HANDSHAKE ? "https" : "http";
            try (WebhookSender quickToGiveUp = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(1), ATTEMPT, 2)) {
                SendResult result = quickToGiveUp.send(loopback, receiver.url(scheme, "/hook").toString(), BodyFormat.ESS, BODY, Map.of(), null);
                assertEquals("receiver silent for read-timeout (1 s)", result.error(), silent.name());
                assertTrue(result.latencyMillis() < ATTEMPT.toMillis(), silent + " ends at read-timeout: " + result);
            }
        }
    }

    @Test
    void hangingDnsLookupEndsAtTheDeadline() {
        WebhookTargetPolicy hangingDns = new WebhookTargetPolicy(List.of(), host -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return InetAddress.getAllByName("127.0.0.1");
        });
        SendResult result = sender.send(hangingDns, "https://webhooks.example/hook", BodyFormat.ESS, BODY, Map.of(), null);
        assertEquals("attempt deadline exceeded", result.error());
        assertWithinDeadline(result);
    }

    @Test
    void jvmProxySettingsCannotRouteAroundTheCheckedAddress() throws Exception {
        AtomicInteger proxied = new AtomicInteger();
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket socket = proxy.accept()) {
                    proxied.incrementAndGet();
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // closed
                }
            });
            System.setProperty("http.proxyHost", "127.0.0.1");
            System.setProperty("http.proxyPort", String.valueOf(proxy.getLocalPort()));
            System.setProperty("https.proxyHost", "127.0.0.1");
            System.setProperty("https.proxyPort", String.valueOf(proxy.getLocalPort()));
            try (WebhookSender underProxySettings = new WebhookSender(Duration.ofSeconds(5), Duration.ofSeconds(5), ATTEMPT, 2)) {
                receiver.behave(Behaviour.OK);
                // The JDK never proxies loopback, so the receiver is reached by a name that resolves to it.
                WebhookTargetPolicy named = new WebhookTargetPolicy(List.of("webhooks.example"),
                        host -> new InetAddress[]{InetAddress.getLoopbackAddress()});
                String endpoint = "http://webhooks.example:" + receiver.url("/").getPort() + "/hook";
                SendResult result = underProxySettings.send(named, endpoint, BodyFormat.ESS, BODY, Map.of(), null);
                assertTrue(result.successful(), result.toString());
                assertEquals(1, receiver.connections(), "the checked address got the request");
                assertEquals(0, proxied.get(), "the proxy got nothing");
            } finally {
                System.clearProperty("http.proxyHost");
                System.clearProperty("http.proxyPort");
                System.clearProperty("https.proxyHost");
                System.clearProperty("https.proxyPort");
            }
        }
    }

    @Test
    void wellBehavedReceiverStillDelivers() {
        assertTrue(send(Behaviour.OK).successful());
    }

    static void assertWithinDeadline(SendResult result) {
        assertTrue(result.latencyMillis() >= ATTEMPT.toMillis() - 50 && result.latencyMillis() < ATTEMPT.toMillis() + 1500,
                "ends at the " + ATTEMPT.toMillis() + " ms deadline: " + result);
    }
}
