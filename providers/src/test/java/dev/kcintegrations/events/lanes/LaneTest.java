package dev.kcintegrations.events.lanes;

import com.sun.net.httpserver.HttpServer;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.sender.WebhookSender;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.SubscriptionLease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lane against an in-memory queue (InMemoryLaneStore) and a receiver on loopback, in milliseconds: what it sends
 * and in which order, and what it does once its lease is another node's. The real-server tests (PerSubjectOrderIT,
 * WebhookDeliveryIT, ClusterIT) remain the proof against PostgreSQL; these pin the lane's own rules.
 */
class LaneTest {

    private static final Pattern N = Pattern.compile("\"n\":(\\d+)");

    /** What the receiver got: each POST's place in the queue and its user, in arrival order. */
    private record Arrival(int n, String user) {
    }

    private final List<Arrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger onTheWire = new AtomicInteger();
    private final AtomicInteger mostOnTheWire = new AtomicInteger();
    private volatile IntUnaryOperator answer = n -> 200;
    private volatile Runnable onArrival = () -> { };
    private final HttpServer receiver = receiver();
    private final InMemoryLaneStore store = new InMemoryLaneStore("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    private final WebhookSender sender = new WebhookSender(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), 16);
    private final ExecutorService sends = Executors.newVirtualThreadPerTaskExecutor();
    /** Counted down when the lane last served ends. */
    private volatile CountDownLatch ended;

    @AfterEach
    void close() throws Exception {
        receiver.stop(0);
        sender.close();
        sends.shutdownNow();
        store.close();
    }

    @Test
    void eachUsersEventsArriveInQueueOrderWhileUsersGoSideBySide() throws Exception {
        String[] users = {"alice", "bob", "carol"};
        for (int i = 0; i < 24; i++) {
            store.add(users[i % users.length]);
        }
        answer = n -> {
            pause(5 + (n * 7) % 20); // uneven receivers: the users overtake each other
            return 200;
        };
        Lane lane = serve(store.lease(DeliveryOrdering.SUBJECT, 4));

        assertTrue(ended.await(20, TimeUnit.SECONDS), "the lane ends once the queue is empty");
        assertEquals(24, arrivals.size(), arrivals.toString());
        Map<String, List<Integer>> perUser = new HashMap<>();
        arrivals.forEach(a -> perUser.computeIfAbsent(a.user(), u -> new ArrayList<>()).add(a.n()));
        perUser.forEach((user, seen) -> assertEquals(seen.stream().sorted().toList(), seen, user + "'s events in queue order"));
        assertTrue(mostOnTheWire.get() >= 2 && mostOnTheWire.get() <= 3, "users side by side, one POST each at most: "
                + mostOnTheWire.get() + " on the wire at once");
        assertTrue(store.statuses().values().stream().allMatch(s -> s == DeliveryStatus.DELIVERED), store.statuses().toString());
        assertTrue(!lane.lost(), "the lease stayed the lane's");
    }

    /**
     * In total order a failing head stops the lane: it gives the subscription back until the retry is due, and
     * nothing behind the head is sent meanwhile; the lanes of the next claims send the head again, then the rest.
     */
    @Test
    void aFailingHeadHoldsTheWholeQueueInTotalOrder() throws Exception {
        for (int i = 0; i < 6; i++) {
            store.add("user" + i); // different users: total order holds them all the same
        }
        AtomicInteger firstTries = new AtomicInteger();
        answer = n -> n == 1 && firstTries.incrementAndGet() <= 2 ? 503 : 200;
        serve(store.lease(DeliveryOrdering.SUBSCRIPTION, 1));
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the lane gives the subscription back after the head failed");
        assertEquals(List.of(1), arrivals.stream().map(Arrival::n).toList(), "nothing behind the failing head was sent");

        for (int claim = 0; claim < 5 && store.statuses().containsValue(DeliveryStatus.PENDING); claim++) {
            Thread.sleep(150); // the retry (100 ms) comes due: the scheduler would claim the subscription again
            serve(store.lease(DeliveryOrdering.SUBSCRIPTION, 1));
            assertTrue(ended.await(10, TimeUnit.SECONDS), "each lane ends");
        }
        assertEquals(List.of(1, 1, 1, 2, 3, 4, 5, 6), arrivals.stream().map(Arrival::n).toList(),
                "the head is tried until it is delivered, and nothing behind it overtakes it");
        assertEquals(1, mostOnTheWire.get());
    }

    @Test
    void aLaneWhoseLeaseWasTakenOverSendsNothingMoreAndWritesNothing() throws Exception {
        for (int i = 0; i < 40; i++) {
            store.add("user" + (i % 4));
        }
        answer = n -> {
            pause(10);
            return 200;
        };
        AtomicBoolean takenOver = new AtomicBoolean();
        onArrival = () -> {
            // Two POSTs arrive at once (the window is 2): the count can step from 4 to 6 between two checks.
            if (arrivals.size() >= 5 && takenOver.compareAndSet(false, true)) {
                store.takeOver(); // another node holds the subscription from now on
            }
        };
        Lane lane = serve(store.lease(DeliveryOrdering.SUBJECT, 2));

        assertTrue(ended.await(20, TimeUnit.SECONDS), "the lane ends");
        Thread.sleep(200); // a POST already on the wire when the loss was learned still arrives (its outcome is dropped)
        assertTrue(lane.lost(), "it learned that the lease is another's");
        long delivered = store.statuses().values().stream().filter(s -> s == DeliveryStatus.DELIVERED).count();
        assertTrue(delivered <= 4, "only what was written before the take-over counts as delivered: " + delivered);
        assertTrue(store.writesRefused() >= 1, "the outcome of a send after the take-over was refused by the fence");
        // What was on the wire (the window, 2) or sent before the loss was learned may arrive: at least once, never all.
        assertTrue(arrivals.size() <= 5 + 2 + 2, "the lane stopped sending: " + arrivals.size() + " of 40 arrived");
        int settled = arrivals.size();
        Thread.sleep(300);
        assertEquals(settled, arrivals.size(), "nothing is sent once the lane has ended");
    }

    // ---- the lane's surroundings

    private Lane serve(SubscriptionLease lease) {
        LaneContext context = new LaneContext() {
            private final ConnectionPermits connections = new ConnectionPermits(16);
            private final SignatureCache signatures = new SignatureCache();

            @Override
            public WebhookSettings settings() {
                return testSettings();
            }

            @Override
            public boolean running() {
                return true;
            }

            @Override
            public boolean othersWaiting() {
                return false;
            }

            @Override
            public LaneStore store() {
                return store;
            }

            @Override
            public LaneOutcomes outcomes() {
                return store;
            }

            @Override
            public WebhookSender sender() {
                return sender;
            }

            @Override
            public ExecutorService sends() {
                return sends;
            }

            @Override
            public ConnectionPermits connections() {
                return connections;
            }

            @Override
            public SignatureCache signatures() {
                return signatures;
            }

            @Override
            public void laneEnded(Lane lane) {
                ended.countDown();
            }
        };
        CountDownLatch laneEnded = new CountDownLatch(1);
        ended = laneEnded;
        Lane lane = new Lane(context, lease);
        Thread.ofVirtual().start(lane);
        return lane;
    }

    /** Retries after 100 ms, a minute of retention, a 3 s attempt and a lease longer than it. */
    private static WebhookSettings testSettings() {
        return new WebhookSettings(5, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMinutes(1),
                Duration.ofMinutes(2), List.of(Duration.ofMillis(100)), 4, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(60), List.of("127.0.0.1"), Duration.ofMinutes(5), Duration.ofDays(90), Duration.ofDays(7),
                60, 5, 30, 8, 16, 32, "webhook-sender", Duration.ofDays(7), Duration.ofDays(30));
    }

    private HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/hook", exchange -> {
                int now = onTheWire.incrementAndGet();
                mostOnTheWire.accumulateAndGet(now, Math::max);
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Matcher n = N.matcher(body);
                int place = n.find() ? Integer.parseInt(n.group(1)) : -1;
                Matcher user = Pattern.compile("\"user\":\"([^\"]+)\"").matcher(body);
                arrivals.add(new Arrival(place, user.find() ? user.group(1) : "?"));
                onArrival.run();
                int status = answer.applyAsInt(place);
                onTheWire.decrementAndGet();
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
