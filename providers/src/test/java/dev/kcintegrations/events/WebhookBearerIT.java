package dev.kcintegrations.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcintegrations.testing.Await;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receiver behind an API gateway accepts a request only with an access token for its own audience:
 * {@code webHookConfig.auth = {"type":"bearer","audience","scope"}} has every POST of the subscription carry one,
 * issued by the realm to its {@code webhook-sender} client with client scopes the subscribing application holds,
 * checked here by {@code jose} against nothing but the realm's JWKS, as a resource server would.
 * The realm's Frontend URL is set (to the server's own URL) in each test: a token issued outside any request takes
 * its issuer from configuration, never from a request's Host header.
 */
@KeycloakIntegrationTest
@ResourceLock(WebhookDeliveryIT.REALM_SETTINGS) // the Frontend URL and the sender client's token lifespan are the realm's
class WebhookBearerIT {

    /** The demo realm's client scope {@code webhooks.receiver.demo} puts this audience in a token. */
    static final String AUDIENCE = "urn:example:webhook-receiver";
    static final String SCOPE = "webhooks.receiver.demo";
    static final String SENDER = "webhook-sender";

    @Test
    void aReceiverThatDemandsABearerForItsAudienceAcceptsEveryPostOfTheSubscription(Keycloak keycloak) {
        Ess app = applicationHolding(keycloak, SCOPE);
        String id = Ess.uniqueId("bearer");
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            Http.Reply saved = save(app, id, receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE));
            assertEquals(200, saved.status(), saved.shown());
            WebhookReceiver.Received verification = receiver.received().get(0);
            assertEquals("verified " + SENDER, verdict(keycloak, verification, AUDIENCE, null), "the verification event carries one too");

            app.publishTest("bearerChecked");
            WebhookReceiver.Received event = receiver.awaitEvents(r -> WebhookReceiver.about(r, "bearerChecked"), 1, WebhookReceiver.SOON).get(0);
            assertEquals("verified " + SENDER, verdict(keycloak, event, AUDIENCE, null, receiver.url("/" + id).toString()));
            JsonNode claims = claims(event);
            assertEquals(SENDER, claims.path("azp").asText());
            assertEquals(id, claims.at("/webhook/subscription").asText(), claims.toString());
            assertEquals(app.clientId(), claims.at("/webhook/application").asText());
            assertEquals(receiver.url("/" + id).toString(), claims.at("/webhook/endpoint").asText());
            assertEquals(SCOPE, claims.path("scope").asText(), "exactly the scopes asked for");
            assertFalse(claims.has("sid") || claims.has("realm_access") || claims.has("resource_access") || claims.has("groups"),
                    "no session and no roles: " + claims);
            assertTrue(verdict(keycloak, event, AUDIENCE, null, receiver.url("/another-subscription").toString())
                    .startsWith("refused: the token is for"), "another subscription's receiver of the same audience refuses it");
            assertTrue(verdict(keycloak, event, "urn:example:another-receiver", null).startsWith("refused: unexpected \"aud\""),
                    "a resource server of another audience refuses it");
            assertTrue(StandardWebhooksCheck.valid(app.secret(id), event), "the signatures are there as before");

            JsonNode shown = app.get("/subscriptions/" + id).json().at("/0/webHookConfig/auth");
            assertEquals("{\"type\":\"bearer\",\"audience\":\"" + AUDIENCE + "\",\"scope\":\"" + SCOPE + "\"}", shown.toString());
            assertEquals("{\"audience\":\"" + AUDIENCE + "\",\"scope\":\"" + SCOPE + "\"}",
                    keycloak.admin().get("/" + Ess.REALM + "/event-subscriptions/" + id).at("/delivery/auth").toString(),
                    "administrators see which subscriptions carry tokens, and for whom");

            Http.Reply without = save(app, id, receiver, null);
            assertEquals(200, without.status(), without.shown());
            app.publishTest("noBearer");
            WebhookReceiver.Received plain = receiver.awaitEvents(r -> WebhookReceiver.about(r, "noBearer"), 1, WebhookReceiver.SOON).get(0);
            assertNull(plain.header("authorization"), "\"auth\": null ends the bearer");
        }
    }

    /** An application gets no token for an audience it could not have asked the realm for itself. */
    @Test
    void aBearerIsIssuedOnlyForScopesTheApplicationHoldsAndExactlyForItsAudience(Keycloak keycloak) {
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess stranger = applicationHolding(keycloak);
            Ess.assertError(save(stranger, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE)),
                    400, "does not hold the client scope " + SCOPE);

            Ess holder = applicationHolding(keycloak, SCOPE);
            Ess.assertError(save(holder, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", "urn:example:payroll-api").put("scope", SCOPE)),
                    400, "give the audience [" + AUDIENCE + "], not exactly urn:example:payroll-api");
            Ess.assertError(save(holder, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", "events.topic.read")),
                    400, "give the audience none");
            // A sender client with full scope would put its service account's roles into every token.
            try (SenderClient fullScope = SenderClient.changed(keycloak, client -> client.put("fullScopeAllowed", true))) {
                Ess.assertError(save(holder, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE)),
                        400, "must not have full scope allowed");
            }
            assertTrue(receiver.received().isEmpty(), "nothing was sent for a refused save");
        }
    }

    @Test
    void aBearerSettingThatIsNotUnderstoodIsRefusedNamingTheField(Keycloak keycloak) {
        Ess app = applicationHolding(keycloak, SCOPE);
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Ess.assertError(save(app, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE).put("lifetime", 60)),
                    400, "unknown field 'webHookConfig.auth.lifetime'");
            Ess.assertError(save(app, Ess.uniqueId("b"), receiver, auth -> auth.put("type", "basic").put("audience", AUDIENCE).put("scope", SCOPE)),
                    400, "webHookConfig.auth.type must be \"bearer\"");
            Ess.assertError(save(app, Ess.uniqueId("b"), receiver, auth -> auth.put("scope", SCOPE)), 400, "webHookConfig.auth.audience");
            Ess.assertError(save(app, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE + "  basic")),
                    400, "webHookConfig.auth.scope");
            // Without a configured URL the token's issuer would be a guess: refused, not issued with the request's Host.
            Ess.assertError(save(app, Ess.uniqueId("b"), receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE)),
                    400, "no configured URL");
            assertTrue(receiver.received().isEmpty());
        }
    }

    /**
     * Tokens are reused until shortly before they expire and replaced before then: with the sender's tokens living
     * 10 s, events over 16 s all arrive at the first attempt, each with a token still valid when it arrived.
     */
    @Test
    void aTokenIsReplacedBeforeItExpiresAndNoDeliveryFails(Keycloak keycloak) {
        Ess app = applicationHolding(keycloak, SCOPE);
        String id = Ess.uniqueId("bearer-refresh");
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             SenderClient shortLived = SenderClient.changed(keycloak,
                     client -> ((ObjectNode) client.get("attributes")).put("access.token.lifespan", "10"));
             WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribeWithBearer(app, id, receiver);
            int events = 9;
            for (int i = 0; i < events; i++) {
                app.publishTest("refresh" + i);
                Await.pause(Duration.ofSeconds(2));
            }
            List<WebhookReceiver.Received> arrived = receiver.awaitEvents(r -> WebhookReceiver.about(r, "refresh"), events, WebhookReceiver.SOON);
            assertEquals(events, arrived.size(), "each once: none failed and was sent again");
            Set<String> tokens = new HashSet<>();
            for (WebhookReceiver.Received r : arrived) {
                assertEquals("verified " + SENDER, verdict(keycloak, r, AUDIENCE, r.receivedAtMillis() / 1000), "valid when it arrived");
                tokens.add(r.header("authorization"));
            }
            assertTrue(tokens.size() >= 2, "16 s of 10 s tokens: replaced at least once, got " + tokens.size());
            assertTrue(app.deliveries(id, null).stream().allMatch(d -> d.path("attempts").asInt(1) == 1),
                    "every delivery at its first attempt");
        }
    }

    /**
     * An administrator who disables the sender client stops the tokens at once, a cached one included: the next
     * event waits, saying why (as when access is lost), and is never POSTed bare or with the token cached before.
     */
    @Test
    void aDisabledSenderClientOrServiceAccountHoldsTheNextEvent(Keycloak keycloak) {
        Ess app = applicationHolding(keycloak, SCOPE);
        String id = Ess.uniqueId("bearer-nosender");
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribeWithBearer(app, id, receiver);
            try (SenderClient disabled = SenderClient.changed(keycloak, client -> client.put("enabled", false))) {
                app.publishTest("noSender");
                JsonNode held = Ess.awaitDelivery(app, id, d -> d.path("lastError").asText("").contains("no enabled confidential client " + SENDER));
                assertEquals("PENDING", held.path("status").asText(), held.toString());
                Await.pause(Duration.ofSeconds(2));
                assertTrue(receiver.events(r -> WebhookReceiver.about(r, "noSender")).isEmpty(), "nothing was POSTed");
            }
            // Enabled again: the event that waited goes out, with a token.
            WebhookReceiver.Received late = receiver.awaitEvents(r -> WebhookReceiver.about(r, "noSender"), 1, Duration.ofSeconds(40)).get(0);
            assertEquals("verified " + SENDER, verdict(keycloak, late, AUDIENCE, null, receiver.url("/" + id).toString()));

            // Its service account disabled: likewise.
            String account = keycloak.admin().get("/" + Ess.REALM + "/users?exact=true&username=service-account-" + SENDER).get(0)
                    .get("id").asText();
            try (SenderAccount ignoredToo = SenderAccount.disabled(keycloak, account)) {
                app.publishTest("noAccount");
                JsonNode held = Ess.awaitDelivery(app, id, d -> d.path("lastError").asText("").contains("service account of " + SENDER));
                assertEquals("PENDING", held.path("status").asText(), held.toString());
                assertTrue(receiver.events(r -> WebhookReceiver.about(r, "noAccount")).isEmpty(), "nothing was POSTed");
            }
        }
    }

    /** A receiver that refuses a token (401: its gateway's keys, a revocation) gets a token issued anew at the retry. */
    @Test
    void aRefusedTokenIsNotSentAgain(Keycloak keycloak) {
        Ess app = applicationHolding(keycloak, SCOPE);
        String id = Ess.uniqueId("bearer-401");
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribeWithBearer(app, id, receiver);
            AtomicBoolean refused = new AtomicBoolean();
            receiver.answer(r -> WebhookReceiver.about(r, "refusedOnce") && refused.compareAndSet(false, true) ? 401 : 200);
            app.publishTest("refusedOnce");
            List<WebhookReceiver.Received> attempts = receiver.awaitAttempts(r -> WebhookReceiver.about(r, "refusedOnce"), 2,
                    WebhookReceiver.SOON);
            assertFalse(attempts.get(0).header("authorization").equals(attempts.get(1).header("authorization")),
                    "the retry carries a token issued after the refusal");
            assertEquals("verified " + SENDER, verdict(keycloak, attempts.get(1), AUDIENCE, null, receiver.url("/" + id).toString()));
        }
    }

    /**
     * The grant is checked when the POST is made, not only when it was saved: an application whose client scope an
     * administrator took away gets its next event held, with the reason, and no POST with the token cached before.
     */
    @Test
    void anApplicationThatLosesTheScopeGetsNoMoreTokensAndItsEventIsHeldSayingWhy(Keycloak keycloak) {
        String clientId = Ess.newApplication(keycloak, Ess.ALL_SCOPES);
        Ess app = Ess.application(keycloak, clientId);
        String clientUuid = keycloak.admin().clientUuid(Ess.REALM, clientId);
        String scopeId = scopeId(keycloak, SCOPE);
        keycloak.admin().put("/" + Ess.REALM + "/clients/" + clientUuid + "/optional-client-scopes/" + scopeId, null);
        String id = Ess.uniqueId("bearer-revoked");
        try (FrontendUrl ignored = FrontendUrl.set(keycloak, keycloak.baseUrl().toString());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            subscribeWithBearer(app, id, receiver);
            app.publishTest("beforeRevocation");
            receiver.awaitEvents(r -> WebhookReceiver.about(r, "beforeRevocation"), 1, WebhookReceiver.SOON);

            keycloak.admin().delete("/" + Ess.REALM + "/clients/" + clientUuid + "/optional-client-scopes/" + scopeId);
            app.publishTest("afterRevocation");
            JsonNode held = Ess.awaitDelivery(app, id, d -> d.path("lastError").asText("").contains("client scope " + SCOPE));
            assertEquals("PENDING", held.path("status").asText(), held.toString());
            Await.pause(Duration.ofSeconds(2));
            assertFalse(receiver.events(r -> WebhookReceiver.about(r, "afterRevocation")).size() > 0,
                    "no POST after the grant was taken away, with or without a cached token");
        }
    }

    private static Ess applicationHolding(Keycloak keycloak, String... scopes) {
        String[] all = new String[Ess.ALL_SCOPES.length + scopes.length];
        System.arraycopy(Ess.ALL_SCOPES, 0, all, 0, Ess.ALL_SCOPES.length);
        System.arraycopy(scopes, 0, all, Ess.ALL_SCOPES.length, scopes.length);
        return Ess.application(keycloak, Ess.newApplication(keycloak, all));
    }

    /** Saves a public.test subscription to {@code receiver} with the demo audience's bearer, and checks it was saved. */
    private static void subscribeWithBearer(Ess app, String id, WebhookReceiver receiver) {
        Http.Reply saved = save(app, id, receiver, auth -> auth.put("audience", AUDIENCE).put("scope", SCOPE));
        assertEquals(200, saved.status(), saved.shown());
    }

    /** Saves a public.test subscription to {@code receiver}; {@code auth} fills a bearer setting, or null sends {@code "auth": null}. */
    private static Http.Reply save(Ess app, String id, WebhookReceiver receiver, Consumer<ObjectNode> auth) {
        ObjectNode body = Http.JSON.createObjectNode().put("id", id).put("filter", ".*").put("topic", "public.test");
        ObjectNode config = body.putObject("webHookConfig").put("endpoint", receiver.url("/" + id).toString());
        if (auth == null) {
            config.putNull("auth");
        } else {
            ObjectNode setting = config.putObject("auth").put("type", "bearer");
            auth.accept(setting);
        }
        return app.call("PUT", "/subscriptions/webhook", body.toString());
    }

    /** What {@code jose} says of the request's bearer for {@code audience}, at {@code at} (seconds) or now. */
    private static String verdict(Keycloak keycloak, WebhookReceiver.Received request, String audience, Long at) {
        return verdict(keycloak, request, audience, at, null);
    }

    /** The same, as a receiver at {@code endpoint} checks it: a token for a delivery to there only. */
    private static String verdict(Keycloak keycloak, WebhookReceiver.Received request, String audience, Long at, String endpoint) {
        ObjectNode input = Http.JSON.createObjectNode();
        input.put("jwks", keycloak.realmUrl(Ess.REALM, "/protocol/openid-connect/certs").toString());
        input.put("issuer", keycloak.realmUrl(Ess.REALM, "").toString());
        input.put("audience", audience);
        input.put("authorization", request.header("authorization"));
        if (at != null) {
            input.put("at", at);
        }
        if (endpoint != null) {
            input.put("endpoint", endpoint);
        }
        NodeScript.Result result = NodeScript.run("verify-bearer.js", input);
        if (result.exit() == 0 || result.exit() == 1) {
            String verdict = result.output().strip();
            return verdict.startsWith("verified ") ? verdict.substring(0, verdict.lastIndexOf(' ')) : verdict;
        }
        throw new AssertionError("node verify-bearer.js gave no verdict (exit " + result.exit() + "): " + result.output());
    }

    /** The claims of the request's bearer token (its signature is jose's to check, in {@link #verdict}). */
    private static JsonNode claims(WebhookReceiver.Received request) {
        String token = request.header("authorization").substring("Bearer ".length());
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String scopeId(Keycloak keycloak, String name) {
        for (JsonNode scope : keycloak.admin().get("/" + Ess.REALM + "/client-scopes")) {
            if (name.equals(scope.path("name").asText())) {
                return scope.get("id").asText();
            }
        }
        throw new AssertionError("no client scope " + name);
    }

    /** The sender's service account disabled for a test, and enabled again on close. */
    private record SenderAccount(Keycloak keycloak, String path) implements AutoCloseable {
        static SenderAccount disabled(Keycloak keycloak, String userId) {
            SenderAccount account = new SenderAccount(keycloak, "/" + Ess.REALM + "/users/" + userId);
            account.enable(false);
            return account;
        }

        private void enable(boolean enabled) {
            ObjectNode user = (ObjectNode) keycloak.admin().get(path);
            user.put("enabled", enabled);
            keycloak.admin().put(path, user);
        }

        @Override
        public void close() {
            enable(true);
        }
    }

    /** The sender client changed for a test ({@code change} on its representation), and put back as it was on close. */
    private record SenderClient(Keycloak keycloak, String path, JsonNode before) implements AutoCloseable {
        static SenderClient changed(Keycloak keycloak, Consumer<ObjectNode> change) {
            String path = "/" + Ess.REALM + "/clients/" + keycloak.admin().clientUuid(Ess.REALM, SENDER);
            JsonNode before = keycloak.admin().get(path);
            ObjectNode changed = before.deepCopy();
            change.accept(changed);
            keycloak.admin().put(path, changed);
            return new SenderClient(keycloak, path, before);
        }

        @Override
        public void close() {
            keycloak.admin().put(path, before);
        }
    }
}
