package dev.kcintegrations.events;

import dev.kcintegrations.events.HostileReceiver.Behaviour;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakServer;
import dev.kcintegrations.testing.KeycloakServers;
import dev.kcintegrations.testing.OwnServerTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber's endpoint is called while {@code PUT /subscriptions/webhook} waits for its answer; no database
 * connection may be held meanwhile, or a few subscribers with silent endpoints take the whole pool and every
 * sign-in of the realm waits on them. Runs on its own server with a pool of three connections, and five
 * verifications hanging at once (before the fix: the sign-in waited until they ended). When their endpoints drop
 * them, each save is refused with a 400 and each refusal is told on {@code keycloak.webhooks}: the refusals arrive
 * together, and capturing their notices must not take the pool either (it once read the subscription with the
 * request's own connection and then waited for a second one: two of five saves answered 500).
 */
@OwnServerTest
class VerificationHoldsNoConnectionIT {

    static final int POOL = 3;
    private static KeycloakServer server;
    private static Keycloak keycloak;

    @BeforeAll
    static void startOwnServer() {
        // Silent endpoints are waited on for a minute here, so that on a slow machine they are still waiting
        // while the sign-in is timed; the test closes them once it has its figure.
        String engine = "--spi-events-listener--webhook-events--";
        server = KeycloakServers.startDistribution("ess-pool", List.of("--db-pool-max-size=" + POOL,
                "--db-pool-min-size=1", "--db-pool-initial-size=1",
                engine + "read-timeout=60s", engine + "attempt-timeout=70s", engine + "lease=90s"));
        keycloak = new Keycloak(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void silentEndpointsUnderVerificationLeaveTheDatabasePoolToEveryoneElse() {
        List<HostileReceiver> silent = new ArrayList<>();
        List<CompletableFuture<Http.Reply>> puts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (WebhookReceiver operators = WebhookReceiver.start()) {
            Ess administrator = Ess.application(keycloak, OperationalNotices.administratorsApplication(keycloak));
            assertEquals(200, administrator.subscribe(Ess.uniqueId("ops"), ".*", "keycloak.webhooks", operators.url("/ops")).status());
            List<Ess> apps = new ArrayList<>();
            for (int i = 0; i < POOL + 2; i++) {
                apps.add(Ess.application(keycloak));
                silent.add(HostileReceiver.start().behave(Behaviour.SILENT));
            }
            for (int i = 0; i < POOL + 2; i++) {
                Ess app = apps.get(i);
                HostileReceiver receiver = silent.get(i);
                String name = Ess.uniqueId("pool");
                names.add(name);
                puts.add(CompletableFuture.supplyAsync(() -> app.subscribe(name, ".*", "public.test", receiver.url("/pool"))));
            }
            Await.until("every verification waiting on its receiver", Duration.ofSeconds(20), Duration.ofMillis(50),
                    () -> silent.stream().mapToInt(HostileReceiver::connections).sum(), connections -> connections >= POOL + 2);
            assertEquals(POOL + 2, silent.stream().mapToInt(HostileReceiver::connections).sum(), "every verification is waiting");

            long started = System.nanoTime();
            String username = Ess.uniqueId("pool-user");
            RealmUsers.newUser(keycloak, username); // a write
            assertEquals(200, RealmUsers.login(keycloak, username, "Secret-" + username).status()); // and a sign-in
            long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(millis < 5_000, "a write and a sign-in took " + millis + " ms while verifications waited");
            assertTrue(puts.stream().noneMatch(CompletableFuture::isDone), "the verifications were still waiting");

            silent.forEach(HostileReceiver::close); // their connections drop: each verification fails now
            for (CompletableFuture<Http.Reply> put : puts) {
                Http.Reply reply = put.join();
                assertEquals(400, reply.status(), reply.shown());
            }
            for (String name : names) {
                operators.awaitEvents(r -> OperationalNotices.about(r, "verification.failed", name), 1, WebhookReceiver.SOON);
            }
        } finally {
            silent.forEach(HostileReceiver::close);
        }
    }
}
