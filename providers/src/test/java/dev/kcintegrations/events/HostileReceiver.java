package dev.kcintegrations.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on loopback that plays an attacker: it answers at the socket level in ways no HTTP
 * library would produce on purpose. It starts {@link Behaviour#OK} (so a subscription can be verified) and
 * is switched to a hostile behaviour by the test. It counts the bytes it managed to push, which shows how
 * much of an endless answer the sender actually took.
 */
public final class HostileReceiver implements AutoCloseable {

    public enum Behaviour {
        /** {@code 200} with an empty body. */
        OK,
        /** A status line that never ends. */
        ENDLESS_STATUS_LINE,
        /** {@code 200 OK}, then one header line that never ends. */
        ENDLESS_HEADER_LINE,
        /** {@code 200 OK} with 10,000 header lines. */
        TEN_THOUSAND_HEADERS,
        /** {@code 200 OK} announcing and streaming a 1 GiB body. */
        GIGABYTE_BODY,
        /** A complete {@code 200} answer, one byte a second. */
        ONE_BYTE_PER_SECOND,
        /** Reads the request and never answers. */
        SILENT,
        /** Accepts the connection and reads nothing: a TLS client waits for its ServerHello forever. */
        STALLED_HANDSHAKE
    }

    private static final long GIB = 1L << 30;
    private static final byte[] CHUNK = "a".repeat(8192).getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private volatile Behaviour behaviour = Behaviour.OK;
    private final AtomicLong bytesPushed = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean open = true;

    private HostileReceiver() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public static HostileReceiver start() {
        try {
            return new HostileReceiver();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public HostileReceiver behave(Behaviour behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    public URI url(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + server.getLocalPort() + path);
    }

    public URI url(String path) {
        return url("http", path);
    }

    /** Bytes written towards the sender (over all connections) before it stopped taking them. */
    public long bytesPushed() {
        return bytesPushed.get();
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (open) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Behaviour now = behaviour;
                Thread.ofVirtual().start(() -> serve(socket, now));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket, Behaviour now) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            if (now == Behaviour.STALLED_HANDSHAKE) {
                sleepWhileOpen(Long.MAX_VALUE);
                return;
            }
            readRequest(in);
            switch (now) {
                case OK -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                case ENDLESS_STATUS_LINE -> {
                    write(out, "HTTP/1.1 200 ");
                    endless(out, GIB);
                }
                case ENDLESS_HEADER_LINE -> {
                    write(out, "HTTP/1.1 200 OK\r\nX-Endless: ");
                    endless(out, GIB);
                }
                case TEN_THOUSAND_HEADERS -> {
                    StringBuilder answer = new StringBuilder("HTTP/1.1 200 OK\r\n");
                    for (int i = 0; i < 10_000; i++) {
                        answer.append("X-Header-").append(i).append(": value\r\n");
                    }
                    write(out, answer.append("Content-Length: 0\r\n\r\n").toString());
                }
                case GIGABYTE_BODY -> {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + GIB + "\r\n\r\n");
                    endless(out, GIB);
                }
                case ONE_BYTE_PER_SECOND -> {
                    for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                        out.write(b);
                        out.flush();
                        bytesPushed.incrementAndGet();
                        sleepWhileOpen(1000);
                    }
                }
                case SILENT -> sleepWhileOpen(Long.MAX_VALUE);
                default -> throw new IllegalStateException();
            }
        } catch (IOException senderHungUp) {
            // what a bounded sender does
        }
    }

    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        long length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).strip());
            }
        }
        in.readNBytes((int) Math.min(length, 1 << 20));
    }

    private void write(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        out.flush();
        bytesPushed.addAndGet(bytes.length);
    }

    private void endless(OutputStream out, long limit) throws IOException {
        long sent = 0;
        while (open && sent < limit) {
            out.write(CHUNK);
            sent += CHUNK.length;
            bytesPushed.addAndGet(CHUNK.length);
        }
    }

    private void sleepWhileOpen(long millis) {
        long until = millis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + millis;
        while (open && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(200, Math.max(1, until - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
