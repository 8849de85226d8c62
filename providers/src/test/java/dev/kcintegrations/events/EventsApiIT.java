package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import dev.kcintegrations.testing.KeycloakLifespan;
import dev.kcintegrations.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.kcintegrations.events.Ess.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event subscription API, /realms/{realm}/events/v4: authentication, topics, subscriptions, errors. */
@KeycloakIntegrationTest
class EventsApiIT {

    static WebhookReceiver receiver;

    @BeforeAll
    static void startReceiver() {
        receiver = WebhookReceiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }


    // ---- authentication

    @Test
    void noTokenIs401WithBearerChallenge(Keycloak keycloak) {
        Http.Reply reply = Http.get(keycloak.realmUrl(Ess.REALM, "/events/v4/topics"), Map.of());
        assertError(reply, 401, "Bearer");
        assertTrue(reply.header("WWW-Authenticate").orElseThrow().startsWith("Bearer realm=\"integrations\""));
    }

    @Test
    void expiredTokenIs401(Keycloak keycloak) {
        String clientId = Ess.newApplication(keycloak, Ess.ALL_SCOPES);
        String uuid = keycloak.admin().clientUuid(Ess.REALM, clientId);
        var client = (ObjectNode) keycloak.admin().get("/" + Ess.REALM + "/clients/" + uuid);
        client.putObject("attributes").put("access.token.lifespan", "1");
        keycloak.admin().put("/" + Ess.REALM + "/clients/" + uuid, client);
        Ess app = Ess.application(keycloak, clientId);
        Http.Reply reply = Await.until("the one-second token refused", Duration.ofSeconds(10), () -> app.get("/topics"), r -> r.status() != 200);
        assertError(reply, 401, "expired");
    }

    @Test
    void subscriberTokensLastAnHourAndComeWithoutRefreshToken(Keycloak keycloak) throws Exception {
        String basic = Base64.getEncoder().encodeToString(
                (Ess.SUBSCRIBER + ":" + Ess.SUBSCRIBER_SECRET).getBytes(StandardCharsets.UTF_8));
        Http.Reply token = Http.post(keycloak.realmUrl(Ess.REALM, "/protocol/openid-connect/token"),
                Map.of("Authorization", "Basic " + basic, "Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials");
        assertEquals(200, token.status(), token.shown());
        JsonNode claims = Http.JSON.readTree(Base64.getUrlDecoder().decode(token.json().get("access_token").asText().split("\\.")[1]));
        KeycloakLifespan.assertLifespan(3600, claims.get("iat").asLong(), claims.get("exp").asLong()); // the token lasts an hour
        // expires_in counts from the answer: a second boundary crossed between issuing and answering makes it 3599
        int expiresIn = token.json().get("expires_in").asInt();
        assertTrue(expiresIn == 3600 || expiresIn == 3599, "expires_in " + expiresIn);
        assertFalse(token.json().has("refresh_token"), token.body());
    }

    @Test
    void invalidTokenIs401WithInvalidTokenError(Keycloak keycloak) {
        Http.Reply reply = new Ess(keycloak, Ess.subscriber(keycloak).token() + "x").get("/topics");
        assertError(reply, 401, "invalid");
        assertTrue(reply.header("WWW-Authenticate").orElseThrow().contains("error=\"invalid_token\""));
    }

    @Test
    void tokenWithoutEventsTopicReadIs403(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak));
        assertError(app.get("/topics"), 403, "events.topic.read");
    }

    @Test
    void userTokenIsNotAnApplicationToken(Keycloak keycloak) {
        Http.Reply login = Http.post(keycloak.realmUrl(Ess.REALM, "/protocol/openid-connect/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=password&client_id=field-service-plugin&username=technician&password=technician&scope=openid");
        assertEquals(200, login.status(), login.shown());
        assertError(new Ess(keycloak, login.json().get("access_token").asText()).get("/topics"), 401, "client-credentials");
    }

    @Test
    void callOutTokenFromOauthCompatEndpointIsAccepted(Keycloak keycloak) {
        String clientId = Ess.newApplication(keycloak, "events.topic.read");
        Http.Reply token = Http.post(keycloak.realmUrl(Ess.REALM, "/oauth-compat/token"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials&client_id=" + clientId + "&client_secret=secret-" + clientId);
        assertEquals(200, token.status(), token.shown());
        assertEquals(200, new Ess(keycloak, token.json().get("access_token").asText()).get("/topics").status());
    }

    // ---- topics

    @Test
    void topicsListsWhatTheTokensScopesGrant(Keycloak keycloak) {
        Http.Reply reply = Ess.subscriber(keycloak).get("/topics");
        assertEquals(200, reply.status(), reply.shown());
        assertEquals(List.of("public.test", "keycloak.user", "keycloak.admin"),
                Http.JSON.convertValue(reply.json(), List.class));
    }

    @Test
    void eventsTopicReadAloneGrantsPublicTest(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read"));
        assertEquals("[\"public.test\"]", app.get("/topics").body());
    }

    @Test
    void topicWhoseScopeIsMissingIsNotListed(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read", "events.admin.read"));
        assertEquals("[\"public.test\",\"keycloak.admin\"]", app.get("/topics").body());
    }

    // ---- saving subscriptions

    @Test
    void savingAnswersTheVendorsMessage(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        Http.Reply reply = app.subscribe("my-unique-subscription-id", ".*", "public.test", receiver.url("/hook"));
        assertEquals(200, reply.status(), reply.shown());
        assertEquals("{\"message\":\"Subscription 'my-unique-subscription-id' saved successfully\"}", reply.shown());
        app.delete("my-unique-subscription-id");
    }

    @Test
    void savedSubscriptionReadsBackAsAnArrayWithReadOnlyFields(Keycloak keycloak) {
        String clientId = Ess.newApplication(keycloak, Ess.ALL_SCOPES);
        Ess app = Ess.application(keycloak, clientId);
        String id = Ess.uniqueId("read-back");
        app.subscribe(id, "LOGIN", "keycloak.user", receiver.url("/hook"));
        Http.Reply reply = app.get("/subscriptions/" + id);
        assertEquals(200, reply.status(), reply.shown());
        JsonNode array = reply.json();
        assertTrue(array.isArray() && array.size() == 1, reply.shown());
        JsonNode s = array.get(0);
        assertEquals(id, s.get("id").asText());
        assertEquals("keycloak.user", s.get("topic").asText());
        assertEquals("LOGIN", s.get("filter").asText());
        assertEquals(receiver.url("/hook").toString(), s.get("webHookConfig").get("endpoint").asText());
        assertEquals(keycloak.admin().clientUuid(Ess.REALM, clientId), s.get("applicationId").asText());
        assertEquals("", s.get("scope").asText());
        assertEquals(0, s.get("groups").size());
        assertEquals(0, s.get("companyIds").size());
    }

    @Test
    void subscriptionsListsOnlyTheCallersOwn(Keycloak keycloak) {
        Ess mine = Ess.application(keycloak);
        Ess other = Ess.application(keycloak);
        mine.subscribe(Ess.uniqueId("mine"), ".*", "public.test", receiver.url("/hook"));
        other.subscribe(Ess.uniqueId("theirs"), ".*", "public.test", receiver.url("/hook"));
        JsonNode list = mine.get("/subscriptions").json();
        assertEquals(1, list.size(), list.toString());
        assertTrue(list.get(0).get("id").asText().startsWith("mine-"));
    }

    @Test
    void savingAgainReplacesTheCallersSubscription(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("replace");
        app.subscribe(id, ".*", "public.test", receiver.url("/first"));
        assertEquals(200, app.subscribe(id, "LOGIN", "keycloak.user", receiver.url("/second")).status());
        JsonNode s = app.get("/subscriptions/" + id).json().get(0);
        assertEquals("/second", URI.create(s.get("webHookConfig").get("endpoint").asText()).getPath());
        assertEquals("keycloak.user", s.get("topic").asText());
        assertEquals(1, app.get("/subscriptions").json().size());
    }

    @Test
    void vendorsRequestExampleWorksAsItIs(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String body = Ess.subscription("vendor-example." + Ess.uniqueId("x"), ".*", "public.test", receiver.url("/hook").toString());
        Http.Reply reply = RawHttp.exchange(keycloak.baseUrl(), "PUT /realms/integrations/events/v4/subscriptions/webhook HTTP/1.1\r\n"
                + "Host: " + keycloak.baseUrl().getAuthority() + "\r\n"
                + "Concur-Correlationid: something-unique-and-trackable\r\n"
                + "Authorization: Bearer " + app.token() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: */*\r\n"
                + "Cache-Control: no-cache\r\n"
                + "Accept-Encoding: gzip, deflate\r\n"
                + "Connection: close\r\n"
                + "cache-control: no-cache\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        assertEquals(200, reply.status(), reply.shown());
        assertTrue(reply.body().contains("saved successfully"), reply.shown());
        assertEquals("something-unique-and-trackable", reply.header("Concur-Correlationid").orElseThrow());
    }

    @Test
    void idWithUppercaseIs400NamingId(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe("Not-Lowercase", ".*", "public.test", receiver.url("/hook")), 400, "id");
    }

    @Test
    void idLongerThan128Is400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe("a".repeat(129), ".*", "public.test", receiver.url("/hook")), 400, "id");
    }

    @Test
    void invalidRegularExpressionIs400NamingFilter(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("bad-filter"), "LOGIN(", "public.test", receiver.url("/hook")), 400, "filter");
    }

    @Test
    void filterLongerThanOneKibIs400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("long-filter"), "A".repeat(1025), "public.test", receiver.url("/hook")), 400, "filter");
    }

    @Test
    void catastrophicBacktrackingFilterIsAcceptedAndRunsInLinearTime(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("redos");
        assertEquals(200, app.subscribe(id, "(a+)+$", "public.test", receiver.url("/redos")).status());
        long started = System.nanoTime();
        Http.Reply reply = app.publishTest("a".repeat(120) + "b");
        assertEquals(202, reply.status(), reply.shown());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "publishing took too long");
        assertEquals(0, reply.json().get("subscriptions").asInt(), reply.shown());
    }

    @Test
    void backreferenceFilterIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("backref"), "(A)\\1", "public.test", receiver.url("/hook")), 400, "filter");
    }

    @Test
    void topicNotReadableIs403(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, "events.topic.read"));
        assertError(app.subscribe(Ess.uniqueId("no-user-scope"), ".*", "keycloak.user", receiver.url("/hook")), 403, "keycloak.user");
    }

    @Test
    void unknownTopicIs403(Keycloak keycloak) {
        assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("unknown-topic"), ".*", "no.such.topic", receiver.url("/hook")), 403, "no.such.topic");
    }

    @Test
    void plainHttpToAHostNotOnTheAllowListIs400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("http"), ".*", "public.test", "http://example.com/hook")), 400, "webHookConfig.endpoint");
    }

    @Test
    void cloudMetadataAddressIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("metadata"), ".*", "public.test", "https://169.254.169.254/latest/meta-data")), 400, "non-public");
    }

    @Test
    void privateAddressIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("private"), ".*", "public.test", "https://10.1.2.3/hook")), 400, "non-public");
    }

    @Test
    void loopbackNotOnTheAllowListIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("loopback"), ".*", "public.test", "https://127.0.0.2/hook")), 400, "non-public");
    }

    @Test
    void ipv4MappedIpv6LoopbackIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("mapped"), ".*", "public.test", "https://[::ffff:127.0.0.1]/hook")), 400, "non-public");
    }

    @Test
    void uniqueLocalIpv6IsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("ula"), ".*", "public.test", "https://[fd00::1]/hook")), 400, "non-public");
    }

    @Test
    void endpointWithUserInfoIsRefused(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("userinfo"), ".*", "public.test", "https://user:pw@example.com/hook")), 400, "user info");
    }

    @Test
    void redirectFromTheEndpointIsNotFollowed(Keycloak keycloak) {
        try (WebhookReceiver redirecting = WebhookReceiver.start(); WebhookReceiver target = WebhookReceiver.start()) {
            redirecting.answerHeaders(Map.of("Location", target.url("/elsewhere").toString()));
            redirecting.answer(307);
            assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("redirect"), ".*", "public.test", redirecting.url("/hook")), 400, "HTTP 307");
            assertEquals(0, target.received().size());
        }
    }

    @Test
    void relativeEndpointIs400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                Ess.subscription(Ess.uniqueId("relative"), ".*", "public.test", "/hook")), 400, "webHookConfig.endpoint");
    }

    @Test
    void missingWebHookConfigIs400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                "{\"id\":\"x\",\"filter\":\".*\",\"topic\":\"public.test\"}"), 400, "webHookConfig");
    }

    @Test
    void bodyThatIsNotJsonIs400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook", "id=x"), 400, "JSON");
    }

    @Test
    void duplicateKeysInTheBodyAre400(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                "{\"id\":\"a\",\"id\":\"b\",\"filter\":\".*\",\"topic\":\"public.test\",\"webHookConfig\":{\"endpoint\":\"https://x\"}}"), 400, "JSON");
    }

    @Test
    void bodyOver64KibIs413(Keycloak keycloak) {
        assertError(Ess.application(keycloak).call("PUT", "/subscriptions/webhook",
                "{\"id\":\"" + "a".repeat(70_000) + "\"}"), 413, "larger");
    }

    @Test
    void idOwnedByAnotherApplicationIs409(Keycloak keycloak) {
        String id = Ess.uniqueId("taken");
        assertEquals(200, Ess.application(keycloak).subscribe(id, ".*", "public.test", receiver.url("/hook")).status());
        assertError(Ess.application(keycloak).subscribe(id, ".*", "public.test", receiver.url("/hook")), 409, "another application");
    }

    @Test
    void sixthSubscriptionOfAnApplicationIs409(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, app.subscribe(Ess.uniqueId("limit" + i), ".*", "public.test", receiver.url("/hook")).status());
        }
        assertError(app.subscribe(Ess.uniqueId("limit5"), ".*", "public.test", receiver.url("/hook")), 409, "at most 5");
    }

    @Test
    void endpointThatDoesNotAnswer2xxIsRefusedWithWhatItAnswered(Keycloak keycloak) {
        try (WebhookReceiver failing = WebhookReceiver.start()) {
            failing.answer(503);
            assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("down"), ".*", "public.test", failing.url("/hook")), 400, "HTTP 503");
        }
    }

    @Test
    void endpointThatIsNotRunningIsRefused(Keycloak keycloak) {
        WebhookReceiver stopped = WebhookReceiver.start();
        stopped.close();
        assertError(Ess.application(keycloak).subscribe(Ess.uniqueId("closed"), ".*", "public.test", stopped.url("/hook")), 400, "verification");
    }

    @Test
    void verificationEventIsSignedAndNamesTheSubscription(Keycloak keycloak) {
        try (WebhookReceiver verifying = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak);
            String id = Ess.uniqueId("verified");
            app.subscribe(id, ".*", "public.test", verifying.url("/hook"));
            WebhookReceiver.Received request = verifying.received().get(0);
            assertTrue(request.body().contains("\"subscription.verification\""), request.body());
            assertTrue(request.body().contains(id), request.body());
            assertTrue(request.header("webhook-signature").startsWith("v1,"));
            assertTrue(StandardWebhooksCheck.valid(app.secret(id), request), "signature must verify");
        }
    }

    @Test
    void everyAnswerIsNoStore(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        for (Http.Reply reply : List.of(app.get("/topics"), app.get("/subscriptions"), app.get("/subscriptions/none-such"),
                app.get("/nowhere"), app.call("DELETE", "/topics", null), Http.get(keycloak.realmUrl(Ess.REALM, "/events/v4/topics"), Map.of()))) {
            assertEquals("no-store", reply.header("cache-control").orElse(null), reply.status() + " " + reply.body());
        }
    }

    @Test
    void testEventToATopicKeycloakFeedsIs400(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        assertError(app.call("POST", "/topics/keycloak.user/events", "{\"eventType\":\"LOGIN\"}"), 400, "carries Keycloak's own events");
    }

    // ---- topics declared by the administrator

    @Test
    void topicDeclaredThroughTheAdminApiIsOfferedAtOnce(Keycloak keycloak) {
        var component = Ess.topicComponent(keycloak, "keycloak.user.logins", "events.user.read", "user", "LOGIN|LOGOUT");
        String componentId = keycloak.admin().create("/" + Ess.REALM + "/components", component);
        try {
            assertTrue(Ess.application(keycloak).get("/topics").body().contains("\"keycloak.user.logins\""));
        } finally {
            keycloak.admin().delete("/" + Ess.REALM + "/components/" + componentId);
        }
    }

    @Test
    void topicWithAnUnknownScopeIsRefusedByTheAdminApi(Keycloak keycloak) {
        var component = Ess.topicComponent(keycloak, "bad.topic", "no.such.scope", "user", null);
        Http.Reply reply = keycloak.admin().call("POST", "/" + Ess.REALM + "/components", component);
        assertEquals(400, reply.status(), reply.shown());
        assertTrue(reply.body().contains("no.such.scope"), reply.shown());
    }

    // ---- reading and deleting

    @Test
    void anotherApplicationsSubscriptionIs404(Keycloak keycloak) {
        String id = Ess.uniqueId("private");
        Ess.application(keycloak).subscribe(id, ".*", "public.test", receiver.url("/hook"));
        assertError(Ess.application(keycloak).get("/subscriptions/" + id), 404, id);
    }

    @Test
    void deletingAnswersTheVendorsMessage(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("delete");
        app.subscribe(id, ".*", "public.test", receiver.url("/hook"));
        Http.Reply reply = app.delete(id);
        assertEquals(200, reply.status(), reply.shown());
        assertEquals("{\"message\":\"Subscription '" + id + "' marked for deletion\"}", reply.shown());
        assertError(app.get("/subscriptions/" + id), 404, id);
    }

    @Test
    void deletingAnotherApplicationsSubscriptionIs404(Keycloak keycloak) {
        String id = Ess.uniqueId("not-yours");
        Ess.application(keycloak).subscribe(id, ".*", "public.test", receiver.url("/hook"));
        assertError(Ess.application(keycloak).delete(id), 404, id);
    }

    // ---- shape of every answer

    @Test
    void correlationIdIsEchoed(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        Http.Reply reply = Http.get(app.url("/topics"), Map.of("Authorization", "Bearer " + app.token(),
                "Concur-Correlationid", "trace-123"));
        assertEquals("trace-123", reply.header("Concur-Correlationid").orElseThrow());
    }

    @Test
    void correlationIdIsGeneratedWhenAbsent(Keycloak keycloak) {
        Http.Reply reply = Ess.application(keycloak).get("/topics");
        assertFalse(reply.header("Concur-Correlationid").orElseThrow().isBlank());
    }

    @Test
    void unknownPathIs404Json(Keycloak keycloak) {
        assertError(Ess.application(keycloak).get("/nothing-here"), 404, "No such resource");
    }

    @Test
    void wrongMethodIs405JsonWithAllow(Keycloak keycloak) {
        Http.Reply reply = Ess.application(keycloak).call("POST", "/topics", "{}");
        assertError(reply, 405, "POST");
        assertEquals("GET", reply.header("Allow").orElseThrow());
    }

    @Test
    void deliveryMetricsAreOnKeycloaksMetricsEndpoint(Keycloak keycloak) {
        Http.Reply metrics = Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of());
        assertEquals(200, metrics.status());
        for (String name : List.of("kci_webhook_events_queued_total", "kci_webhook_deliveries_total", "kci_webhook_outbox_depth",
                "kci_webhook_outbox_oldest_age_seconds", "kci_webhook_delivery_lag_seconds")) {
            assertTrue(metrics.body().contains(name), name + " missing from /metrics");
        }
    }

    @Test
    void deliveriesWithUnknownStatusIs400(Keycloak keycloak) {
        Ess app = Ess.application(keycloak);
        String id = Ess.uniqueId("status");
        app.subscribe(id, ".*", "public.test", receiver.url("/hook"));
        assertError(app.get("/subscriptions/" + id + "/deliveries?status=LOST"), 400, "status");
    }

    /** A subscriber cannot make the server sign and send bodies it composes as fast as it can call. */
    @Test
    void testEventsAreLimitedPerApplicationWith429AndRetryAfter(Keycloak keycloak) {
        Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
        Http.Reply refused = null;
        int accepted = 0;
        for (int i = 0; i < 121 && refused == null; i++) {
            Http.Reply reply = app.publishTest("burst");
            if (reply.status() == 429) {
                refused = reply;
            } else {
                assertEquals(202, reply.status(), reply.shown());
                accepted++;
            }
        }
        assertTrue(refused != null, "no 429 after " + accepted + " test events");
        assertTrue(accepted >= 60, "the first 60 a minute are accepted, got " + accepted);
        long retryAfter = Long.parseLong(refused.header("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertError(refused, 429, "60 test events a minute");
        Http.Reply other = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES)).publishTest("burst");
        assertEquals(202, other.status(), "another application has its own allowance: " + other.body());
    }

    /** Listings are pages of at most 100, newest first, followed with the cursor of the previous page. */
    @Test
    void deliveriesArePagedNewestFirst(Keycloak keycloak) {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess app = Ess.application(keycloak, Ess.newApplication(keycloak, Ess.ALL_SCOPES));
            String id = Ess.uniqueId("paged");
            app.subscribe(id, ".*", "public.test", receiver.url("/paged"));
            List<String> published = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                published.add(0, app.publishTest("paged" + i).json().get("id").asText());
            }
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Http.Reply page = app.get("/subscriptions/" + id + "/deliveries?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
                assertEquals(200, page.status(), page.shown());
                assertTrue(page.json().get("deliveries").size() <= 2, page.body());
                page.json().get("deliveries").forEach(d -> seen.add(d.get("eventId").asText()));
                cursor = page.json().has("nextCursor") ? page.json().get("nextCursor").asText() : null;
                pages++;
            } while (cursor != null && pages < 10);
            assertEquals(3, pages);
            assertEquals(published, seen, "every delivery once, newest first");
            for (String bad : List.of("limit=0", "limit=101", "limit=x", "cursor=-1", "cursor=abc", "cursor=9999999999999999999",
                    "cursor=12." + "x".repeat(36), "cursor=12")) {
                assertError(app.get("/subscriptions/" + id + "/deliveries?" + bad), 400, bad.startsWith("limit") ? "limit" : "cursor");
            }
        }
    }
}
