package dev.kcintegrations.callout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callout clients' failures are throttled so that they stop costing the server (each was a stored event, an
 * outbox row, a signature and a delivery), and secrets Keycloak rotates keep working as Keycloak's own client
 * authenticator lets them. The throttle is per node and per source address: these tests send from addresses
 * of their own in 127.0.0.0/8 (the rest of the suite sends from 127.0.0.1), with the default budgets
 * (120 failures a minute per address, 30 per client).
 */
@KeycloakIntegrationTest
class CalloutAbuseIT {

    private static final int PER_ADDRESS = 120;
    private static final int PER_CLIENT = 30;

    private static Http.Reply tokenRequest(Keycloak keycloak, String from, String clientId, String secret) {
        String body = "grant_type=client_credentials";
        try {
            return RawHttp.exchangeFrom(InetAddress.getByName(from), CalloutRequests.endpoint(keycloak),
                    "POST " + CalloutRequests.endpoint(keycloak).getPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Authorization: " + CalloutRequests.urlSafeBasic(clientId, secret) + "\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int loginErrors(Keycloak keycloak, String clientId) {
        return keycloak.admin().get("/" + DemoRealm.REALM + "/events?type=CLIENT_LOGIN_ERROR&max=1000&client=" + clientId).size();
    }

    /** A 429 as RFC 6749 and RFC 9110 have it; returns its {@code Retry-After} (seconds). */
    private static long assertThrottled(Http.Reply reply) {
        assertEquals(429, reply.status(), reply.shown());
        assertEquals("temporarily_unavailable", reply.json().get("error").asText(), reply.shown());
        long retryAfter = Long.parseLong(reply.header("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals("no-store", reply.header("Cache-Control").orElseThrow());
        return retryAfter;
    }

    /**
     * Whoever fails from one address past its budget is refused before anything is checked or recorded, its right
     * secret too, until the {@code Retry-After} it was told.
     */
    @Test
    void anAddressThatKeepsFailingIsRefusedAndNotRecorded(Keycloak keycloak) {
        String from = "127.0.0.2";
        String prefix = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Throttled throttled = failUntilThrottled(keycloak, from, i -> prefix + i, i -> "wrong");
        int failures = throttled.failures();
        // The bucket refills evenly (2 a second): what it refilled while the loop ran may pass beyond the budget, no more.
        assertTrue(failures >= PER_ADDRESS && failures <= PER_ADDRESS + throttled.refilled(PER_ADDRESS),
                failures + " failures before the first 429, in " + throttled.millis() + " ms");
        assertEquals(0, loginErrors(keycloak, prefix + failures), "a refused request is no event");
        assertEquals(1, loginErrors(keycloak, prefix + "0"));
        // Asked inside the time told, the right secret is refused too, although a token refilled (one every 500 ms) by
        // then: asking early buys nothing. An ask that came later (a loaded machine) proves nothing, so the address is
        // made to fail again and asked again.
        for (int round = 1; ; round++) {
            Await.pause(Duration.ofMillis(600));
            Http.Reply right = tokenRequest(keycloak, from, DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET);
            if (throttled.stillRefusedAt(System.nanoTime())) {
                assertThrottled(right);
                break;
            }
            assertTrue(round < 5, "no right-secret request answered within Retry-After of the refusal in 5 rounds");
            String again = prefix + "again-" + round + "-";
            throttled = failUntilThrottled(keycloak, from, i -> again + i, i -> "wrong");
        }
        assertEquals(200, tokenRequest(keycloak, "127.0.0.1", DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET).status(),
                "another address is not affected");
    }

    /**
     * How many failed before the first 429, and in how long; when the refused request was sent (nano time) and
     * the {@code Retry-After} it got.
     */
    private record Throttled(int failures, long millis, long refusedSentAt, long retryAfterSeconds) {
        /** What a bucket of {@code perMinute}, refilled evenly, took back in while they were sent (and one in the making). */
        int refilled(int perMinute) {
            return (int) (millis * perMinute / 60_000) + 1;
        }

        /** The server received whatever was answered by {@code nanoTime} before the time it told had run out. */
        boolean stillRefusedAt(long nanoTime) {
            return nanoTime - refusedSentAt < retryAfterSeconds * 1_000_000_000L;
        }
    }

    /** Sends failing requests until one is throttled (which it checks). */
    private static Throttled failUntilThrottled(Keycloak keycloak, String from, IntFunction<String> clientId,
                                                IntFunction<String> secret) {
        long start = System.currentTimeMillis();
        for (int i = 0; i < 200; i++) {
            long sentAt = System.nanoTime();
            Http.Reply reply = tokenRequest(keycloak, from, clientId.apply(i), secret.apply(i));
            if (reply.status() == 429) {
                long retryAfter = assertThrottled(reply);
                return new Throttled(i, System.currentTimeMillis() - start, sentAt, retryAfter);
            }
            assertEquals(401, reply.status(), "failure " + (i + 1) + ": " + reply.shown());
        }
        throw new AssertionError("200 failures from " + from + " and none throttled");
    }

    /**
     * Someone who knows a client's id cannot lock the integration out: past the client's budget its wrong
     * secrets are answered 429 and recorded as nothing, and its right secret still gets a token.
     */
    @Test
    void aClientThatKeepsFailingStillGetsItsTokenAndItsWrongSecretsCostNothing(Keycloak keycloak) {
        try (TestClient client = TestClient.create(keycloak.admin(), "throttled", "Throttled-Secret-01")) {
            Throttled throttled = failUntilThrottled(keycloak, "127.0.0.3", i -> client.clientId, i -> "wrong-" + i);
            int failures = throttled.failures();
            assertTrue(failures >= PER_CLIENT && failures <= PER_CLIENT + throttled.refilled(PER_CLIENT),
                    failures + " failures before the first 429, in " + throttled.millis() + " ms");
            int recorded = failures;
            // From another address too, inside the time told (an ask that came later proves nothing: fail again, ask again).
            for (int round = 1; ; round++) {
                Http.Reply elsewhere = tokenRequest(keycloak, "127.0.0.4", client.clientId, "wrong-elsewhere");
                if (throttled.stillRefusedAt(System.nanoTime())) {
                    assertThrottled(elsewhere);
                    break;
                }
                assertTrue(round < 5, "no request answered within Retry-After of the refusal in 5 rounds");
                recorded += elsewhere.status() == 401 ? 1 : 0;
                throttled = failUntilThrottled(keycloak, "127.0.0.3", i -> client.clientId, i -> "wrong-" + i);
                recorded += throttled.failures();
            }
            assertEquals(recorded, loginErrors(keycloak, client.clientId), "failures past the budget are no events");
            Http.Reply right = tokenRequest(keycloak, "127.0.0.4", client.clientId, client.secret);
            assertEquals(200, right.status(), right.shown());
        }
    }

    /**
     * With Keycloak's client-secret-rotation feature (on in the test servers), a rotated secret still inside its
     * validity is accepted beside the current one, as by Keycloak's own client authenticator; an expired rotated
     * secret is not; and once the current secret expired, the rotated one is refused as "Client secret expired".
     */
    @Test
    void aRotatedSecretWorksWhileItIsValidAsKeycloakDecides(Keycloak keycloak) {
        long now = Instant.now().getEpochSecond();
        // Stock "Client Id and Secret" clients, so that Keycloak's own authenticator answers the same secrets at its token endpoint.
        try (TestClient valid = TestClient.create(keycloak.admin(), "rotated", "Current-Secret-01", rep -> rotated(rep, now, now + 3600, 0));
             TestClient outdated = TestClient.create(keycloak.admin(), "rotated-out", "Current-Secret-01", rep -> rotated(rep, now - 7200, now - 60, 0));
             TestClient expired = TestClient.create(keycloak.admin(), "expired", "Current-Secret-01", rep -> rotated(rep, now, now + 3600, now - 60))) {
            assertAsKeycloak(keycloak, valid, "Current-Secret-01", 200);
            assertAsKeycloak(keycloak, valid, "Rotated-Secret-00", 200); // valid for another hour

            assertAsKeycloak(keycloak, outdated, "Rotated-Secret-00", 401); // expired a minute ago
            assertEquals("Invalid client secret", latestReason(keycloak, outdated));

            // A valid rotated secret is refused once the current one expired: so do we, saying so.
            assertAsKeycloak(keycloak, expired, "Rotated-Secret-00", 401);
            assertEquals("Client secret expired", latestReason(keycloak, expired));
            assertAsKeycloak(keycloak, expired, "Current-Secret-01", 401);
        }
    }

    /** oauth-compat answers {@code expected}, and Keycloak's own token endpoint answers the same secret alike. */
    private static void assertAsKeycloak(Keycloak keycloak, TestClient client, String secret, int expected) {
        Http.Reply ours = CalloutRequests.post(keycloak, CalloutRequests.urlSafeBasic(client.clientId, secret), CalloutRequests.FORM,
                "grant_type=client_credentials");
        assertEquals(expected, ours.status(), client.clientId + " with " + secret + " at oauth-compat: " + ours.body());
        Http.Reply keycloaks = Http.post(keycloak.realmUrl(DemoRealm.REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials&client_id=" + client.clientId + "&client_secret=" + secret);
        assertEquals(expected == 200 ? 200 : 401, keycloaks.status(), client.clientId + " with " + secret + " at Keycloak's endpoint: " + keycloaks.body());
    }

    /** The reason of the newest refusal at oauth-compat (Keycloak's own endpoint, asked alike, records none). */
    private static String latestReason(Keycloak keycloak, TestClient client) {
        for (JsonNode event : keycloak.admin().get("/" + DemoRealm.REALM + "/events?type=CLIENT_LOGIN_ERROR&max=10&client=" + client.clientId)) {
            if ("oauth-compat".equals(event.at("/details/endpoint").asText())) {
                return event.at("/details/reason").asText();
            }
        }
        throw new AssertionError("no oauth-compat refusal of " + client.clientId);
    }

    /** The attributes Keycloak's rotation writes: the rotated secret, when it was made and when it expires; the current one's expiry. */
    private static void rotated(ObjectNode rep, long rotatedAt, long rotatedUntil, long currentUntil) {
        rep.put("clientAuthenticatorType", "client-secret");
        ObjectNode attributes = rep.has("attributes") ? (ObjectNode) rep.get("attributes") : rep.putObject("attributes");
        attributes.put("client.secret.rotated", "Rotated-Secret-00");
        attributes.put("client.secret.rotated.creation.time", String.valueOf(rotatedAt));
        attributes.put("client.secret.rotated.expiration.time", String.valueOf(rotatedUntil));
        attributes.put("client.secret.creation.time", String.valueOf(rotatedAt));
        if (currentUntil > 0) {
            attributes.put("client.secret.expiration.time", String.valueOf(currentUntil));
        }
    }

}
