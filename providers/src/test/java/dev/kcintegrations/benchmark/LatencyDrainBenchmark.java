package dev.kcintegrations.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.kcintegrations.testing.AdminApi;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.ScratchRealm;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 24's figures: one subscription drained to a receiver that answers every event {@code latency} ms late,
 * as receivers that are not on loopback do, with {@code ordering: subject} (several POSTs in flight, each user
 * in order) against {@code subscription} (one in flight, today's total order). Each case publishes test events
 * about 50 users to a receiver that answers at once, then has an administrator queue them all again in one
 * statement (a replay keeps their ids and order) and times the drain of that backlog at the latency: the figure
 * is the drain, not how fast one client can publish. The receiver counts, per user, events that arrived before
 * an earlier one of the same user (out of order), duplicates, losses and the most requests it had at once.
 */
final class LatencyDrainBenchmark {

    static final int USERS = 50;

    private LatencyDrainBenchmark() {
    }

    record Result(String name, int latencyMs, int window, int events, int delivered, int duplicates, int outOfOrder, int lost,
                  double seconds, int mostInFlight) {
        double rate() {
            return delivered / seconds;
        }

        /** What a window of POSTs at this latency can move at most: window (in events: POSTs × batch) / latency. */
        double ceiling() {
            return latencyMs == 0 ? Double.NaN : window * 1000.0 / latencyMs;
        }
    }

    /** Answers each event after {@code latencyMs}; a {@code failingUser}'s events with 500. */
    static final class LatentReceiver implements AutoCloseable {
        final HttpServer server;
        volatile int latencyMs;
        volatile boolean recording;
        volatile String failingUser;
        final AtomicInteger warm = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> lastOfUser = new ConcurrentHashMap<>();
        volatile long lastArrival;

        LatentReceiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                JsonNode parsed = Http.JSON.readTree(body);
                List<JsonNode> events = new ArrayList<>();
                if (parsed.isArray()) {
                    parsed.forEach(events::add); // a CloudEvents batch
                } else {
                    events.add(parsed);
                }
                String first = type(events.get(0));
                int status = 204;
                if (first.startsWith("b")) {
                    if (!recording) {
                        warm.addAndGet(events.size());
                    } else {
                        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(latencyMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        for (JsonNode event : events) {
                            String type = type(event);
                            String user = (event.has("facts") ? event.path("facts") : event.path("data")).path("userId").asText();
                            if (user.equals(failingUser)) {
                                status = 500;
                            } else if (seen.add(event.get("id").asText())) {
                                int seq = Integer.parseInt(type.substring(1));
                                Integer before = lastOfUser.put(user, seq);
                                if (before != null && before > seq) {
                                    outOfOrder.incrementAndGet();
                                }
                                delivered.incrementAndGet();
                                lastArrival = System.currentTimeMillis();
                            } else {
                                duplicates.incrementAndGet();
                            }
                        }
                        inFlight.decrementAndGet();
                    }
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        /** A test event's own type: ess {@code eventType}, or a CloudEvent's {@code type} after its prefix. */
        private static String type(JsonNode event) {
            return event.has("eventType") ? event.get("eventType").asText() : event.path("type").asText().replace("org.keycloak.test.", "");
        }

        void record(int latency, String failing) {
            seen.clear();
            lastOfUser.clear();
            delivered.set(0);
            duplicates.set(0);
            outOfOrder.set(0);
            mostInFlight.set(0);
            latencyMs = latency;
            failingUser = failing;
            recording = true;
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * @param ordering    {@code subject} or {@code subscription}
     * @param maxInFlight null: the default (and 1 for subscription)
     * @param failingUser null, or a user whose every event the receiver answers with 500
     */
    static Result run(URI baseUrl, LatentReceiver receiver, String name, String ordering, Integer maxInFlight, int latencyMs,
                      int events, String failingUser) throws Exception {
        return run(baseUrl, receiver, name, ordering, maxInFlight, 0, latencyMs, events, failingUser);
    }

    /** @param batch events per POST as CloudEvents batches; 0: ess bodies, one event per POST */
    static Result run(URI baseUrl, LatentReceiver receiver, String name, String ordering, Integer maxInFlight, int batch, int latencyMs,
                      int events, String failingUser) throws Exception {
        AdminApi admin = new AdminApi(baseUrl);
        String realm = "bench-latency";
        ScratchRealm.create(admin, realm);
        try {
            String token = WebhookBenchmark.clientToken(baseUrl, realm);
            String id = "bench-latency";
            ObjectNode body = Http.JSON.createObjectNode().put("id", id).put("filter", ".*").put("topic", "public.test");
            ObjectNode config = body.putObject("webHookConfig").put("endpoint", receiver.url("/latency")).put("ordering", ordering);
            if (maxInFlight != null) {
                config.put("maxInFlight", maxInFlight);
            }
            if (batch > 0) {
                config.put("format", "cloudevents");
                config.putObject("batch").put("maxEvents", batch).put("maxWaitMs", 50);
            }
            Http.Reply saved = Http.send("PUT", baseUrl.resolve("/realms/" + realm + "/events/v4/subscriptions/webhook"),
                    Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), body.toString().getBytes(StandardCharsets.UTF_8));
            if (saved.status() != 200) {
                throw new IllegalStateException("Could not subscribe: " + saved.body());
            }
            receiver.recording = false;
            receiver.warm.set(0);
            Instant from = Instant.now().minusSeconds(1);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI publish = baseUrl.resolve("/realms/" + realm + "/events/v4/topics/public.test/events");
            LoadRun.run("publish", 8, events, i -> {
                try {
                    return http.send(HttpRequest.newBuilder(publish).header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"eventType\":\"b" + i + "\",\"facts\":{\"userId\":\"u"
                                            + (i % USERS) + "\"}}")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 202;
                } catch (Exception e) {
                    return false;
                }
            });
            long deadline = System.currentTimeMillis() + 300_000;
            while (receiver.warm.get() < events && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(500); // the last outcomes are written: a replay queues only finished deliveries
            Instant to = Instant.now();
            receiver.record(latencyMs, failingUser);
            long started = System.currentTimeMillis();
            Http.Reply replay = admin.call("POST", "/" + realm + "/event-subscriptions/" + id + "/redeliver",
                    Map.of("from", from.toString(), "to", to.toString()));
            if (replay.status() != 202) {
                throw new IllegalStateException("Could not replay: " + replay.status() + " " + replay.body());
            }
            int expected = failingUser == null ? events : events - events / USERS;
            deadline = System.currentTimeMillis() + 600_000;
            while (receiver.delivered.get() < expected && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            double seconds = (receiver.lastArrival - started) / 1000.0;
            int window = ("subscription".equals(ordering) ? 1 : maxInFlight == null ? 16 : maxInFlight) * Math.max(1, batch);
            receiver.recording = false;
            return new Result(name, latencyMs, window, expected, receiver.delivered.get(), receiver.duplicates.get(),
                    receiver.outOfOrder.get(), expected - receiver.delivered.get(), seconds, receiver.mostInFlight.get());
        } finally {
            admin.delete("/" + realm);
        }
    }

    /** Every case of the issue, each a fresh realm; the loopback rows first. */
    static List<Result> runAll(URI baseUrl) throws Exception {
        int events = Integer.getInteger("bench.latencyEvents", 2000);
        try (LatentReceiver receiver = new LatentReceiver()) {
            return List.of(
                    run(baseUrl, receiver, "subscription, loopback", "subscription", null, 0, events, null),
                    run(baseUrl, receiver, "subject ×16, loopback", "subject", null, 0, events, null),
                    run(baseUrl, receiver, "subscription, 50 ms", "subscription", null, 50, events / 10, null),
                    run(baseUrl, receiver, "subscription, batches of 100, 50 ms", "subscription", null, 100, 50, events * 2, null),
                    run(baseUrl, receiver, "subject ×32, 50 ms", "subject", 32, 50, events, null),
                    run(baseUrl, receiver, "subject ×32, 200 ms", "subject", 32, 200, events / 2, null),
                    run(baseUrl, receiver, "subject ×32, 50 ms, u0 fails", "subject", 32, 50, events, "u0"));
        }
    }

    static void print(List<Result> results) {
        System.out.printf(Locale.ROOT, "%nWebhook delivery to a receiver that answers late: one subscription, %d users, a replayed backlog%n", USERS);
        System.out.printf(Locale.ROOT, "| %-36s | %7s | %6s | %9s | %10s | %10s | %11s | %10s | %12s | %4s |%n",
                "case", "latency", "window", "delivered", "events/s", "ceiling/s", "× ceiling", "most at once", "out of order", "lost");
        System.out.println("|--------------------------------------|---------|--------|-----------|------------|------------|-------------|-"
                + "-----------|--------------|------|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %-36s | %7s | %6d | %9d | %10.1f | %10s | %11s | %10d | %12d | %4d |%n",
                    r.name(), r.latencyMs() + " ms", r.window(), r.delivered(), r.rate(),
                    Double.isNaN(r.ceiling()) ? "-" : String.format(Locale.ROOT, "%.0f", r.ceiling()),
                    Double.isNaN(r.ceiling()) ? "-" : String.format(Locale.ROOT, "%.2f", r.rate() / r.ceiling()),
                    r.mostInFlight(), r.outOfOrder(), r.lost());
        }
    }
}
