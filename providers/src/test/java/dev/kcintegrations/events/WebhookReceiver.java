package dev.kcintegrations.events;

import dev.kcintegrations.testing.Await;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.Http;

/**
 * A real HTTP server on loopback that receives webhooks in a test: it records every request and answers
 * with a status the test chooses (per request, so a test can refuse the first attempts). It can be stopped
 * and started again on the same port to play a receiver that is down for a while.
 */
final class WebhookReceiver implements AutoCloseable {

    record Received(Map<String, String> headers, String body, long receivedAtMillis, String path) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** A verification call: eventType, or a CloudEvent's type, {@code subscription.verification}. */
        boolean verification() {
            return body.contains("\"subscription.verification\"") || body.contains(".subscription.verification\"");
        }
    }

    /** What a drain test reads again and again: each arrival once, with whether it is a verification call. */
    private record Arrival(Received request, boolean verification) {
    }

    // Appended under its own lock, copied out under it: a copy-on-write list copied all 20,000 rows of a drain on
    // every arrival, and a regular expression over every body on every poll cost the drain tests a core.
    private final List<Arrival> received = new ArrayList<>();
    private volatile Function<Received, Integer> answer = request -> 200;
    private volatile Map<String, String> answerHeaders = Map.of();
    private HttpServer server;
    private int port;

    private WebhookReceiver() {
    }

    static WebhookReceiver start() {
        WebhookReceiver receiver = new WebhookReceiver();
        receiver.listen(0);
        return receiver;
    }

    private void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 50);
        } catch (IOException e) {
            throw new IllegalStateException("Could not listen on 127.0.0.1:" + onPort, e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Received request = new Received(headers, body, System.currentTimeMillis(), exchange.getRequestURI().getPath());
            Arrival arrival = new Arrival(request, request.verification());
            synchronized (received) {
                received.add(arrival);
            }
            int status = answer.apply(request);
            answerHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] reply = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    void answer(int status) {
        answer = request -> status;
    }

    void answer(Function<Received, Integer> chooser) {
        answer = chooser;
    }

    void answerHeaders(Map<String, String> headers) {
        answerHeaders = Map.copyOf(headers);
    }

    /** Stops listening: connections to the port are refused until {@link #restart()}. */
    void stop() {
        server.stop(0);
    }

    void restart() {
        listen(port);
    }

    List<Received> received() {
        return arrivals().stream().map(Arrival::request).toList();
    }

    private List<Arrival> arrivals() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** Events (not verification calls) that match. */
    List<Received> events(Predicate<Received> which) {
        return arrivals().stream().filter(a -> !a.verification()).map(Arrival::request).filter(which).toList();
    }

    /**
     * Waits until {@code count} distinct events match (by {@code webhook-id}: a redelivery of one event does
     * not count twice); returns every matching arrival, redeliveries included.
     */
    List<Received> awaitEvents(Predicate<Received> which, int count, Duration timeout) {
        return await(which, count, timeout, true);
    }

    /** Waits until {@code count} arrivals match, each attempt of one event counting: for retry tests. */
    List<Received> awaitAttempts(Predicate<Received> which, int count, Duration timeout) {
        return await(which, count, timeout, false);
    }

    /**
     * Each poll looks only at what arrived since the last one: a drain's receiver holds 20,000 arrivals, and reading
     * them all ten times a second (a copy, a predicate over every body, the distinct ids) cost the test JVM a core.
     */
    private List<Received> await(Predicate<Received> which, int count, Duration timeout, boolean distinct) {
        List<Received> matching = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int[] seen = {0};
        ToLongFunction<List<Received>> counted = all -> distinct ? ids.size() : all.size();
        try {
            Await.until(count + " matching arrivals", timeout, Duration.ofMillis(100), () -> {
                List<Arrival> fresh;
                synchronized (received) {
                    fresh = new ArrayList<>(received.subList(seen[0], received.size()));
                    seen[0] = received.size();
                }
                for (Arrival arrival : fresh) {
                    if (!arrival.verification() && which.test(arrival.request())) {
                        matching.add(arrival.request());
                        ids.add(arrival.request().header("webhook-id"));
                    }
                }
                return matching;
            }, all -> counted.applyAsLong(all) >= count);
            return List.copyOf(matching);
        } catch (AssertionError notYet) {
            List<Received> all = received();
            // The first and last few only: a drain's failure printed all 2,400 bodies (650,000 characters) into the log.
            List<String> shown = all.size() <= 2 * SHOWN ? all.stream().map(Received::body).toList()
                    : List.of(all.subList(0, SHOWN).stream().map(Received::body).toList() + " … "
                    + (all.size() - 2 * SHOWN) + " more … " + all.subList(all.size() - SHOWN, all.size()).stream().map(Received::body).toList());
            throw new AssertionError("Expected " + count + " matching within " + timeout + ", got " + counted.applyAsLong(matching)
                    + " of " + all.size() + " received: " + shown);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static final Duration SOON = Duration.ofSeconds(20);
    /** Arrivals a failed wait shows from each end of what came. */
    private static final int SHOWN = 5;

    static JsonNode json(WebhookReceiver.Received received) {
        try {
            return Http.JSON.readTree(received.body());
        } catch (IOException e) {
            throw new AssertionError(received.body(), e);
        }
    }

    static boolean about(WebhookReceiver.Received r, String text) {
        return r.body().contains(text);
    }
}
