package dev.kcintegrations.events.lifecycle;

import dev.kcintegrations.events.capture.OperationalEvents;
import dev.kcintegrations.events.capture.CompiledFilters;
import dev.kcintegrations.events.capture.EventFacts;
import dev.kcintegrations.events.capture.EventPayload;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.RealmUrl;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.config.WebhookTargets;
import dev.kcintegrations.events.sender.BearerTokens;
import dev.kcintegrations.events.sender.ClientIdentity;
import dev.kcintegrations.events.sender.RealmClientCertificates;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.sender.DeliveryHeaders;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.sender.WebhookSecrets;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.DeliveryQueries;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.DisabledBy;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.SubscriptionStatus;
import dev.kcintegrations.events.store.Subscriptions;
import dev.kcintegrations.events.topics.Topic;
import jakarta.persistence.PersistenceException;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Every change of a subscription's life, one place for its rules, whoever asks: subscribe (with the
 * endpoint's verification), cancel, requeue a delivery, rotate the secret, revoke an application's
 * subscriptions. Works in the caller's session and transaction; the verification call runs with no
 * transaction open. Refusals are {@link Refused}, which each API turns into its own error shape.
 *
 * <p>Over 300 lines on purpose: it is the one service every API goes through to change a subscription (subscribe,
 * verify, cancel, requeue, rotate, revoke, disable, enable, replay), so that each rule about who may do what
 * has one place.
 */
public final class SubscriptionLifecycle {

    /** How long a rotated-out secret still signs along with the new one. */
    public static final Duration SECRET_OVERLAP = Duration.ofHours(24);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final WebhookSettings settings;
    private final Verifications verifications;
    private final BearerTokens bearerTokens;
    private final OperationalEvents operational;
    private final Runnable wake;

    /** @param wake called after a commit that may make a queue due (the engine's claim loop) */
    public SubscriptionLifecycle(KeycloakSession session, RealmModel realm, WebhookSettings settings, Verifications verifications,
                                 BearerTokens bearerTokens, OperationalEvents operational, Runnable wake) {
        this.session = session;
        this.realm = realm;
        this.settings = settings;
        this.verifications = verifications;
        this.bearerTokens = bearerTokens;
        this.operational = operational;
        this.wake = wake;
    }

    /**
     * A subscription as its owner asks for it; the filter is already compiled and checked. {@code ordering},
     * {@code maxInFlight}, {@code batch} and {@code auth} null: a new subscription gets the defaults, an existing one
     * keeps its own; {@code batch} empty: no batches; {@code auth} empty: no bearer token.
     */
    public record Subscribe(String id, String topic, String filter, String endpoint, BodyFormat format,
                            DeliveryOrdering ordering, Integer maxInFlight, Optional<Batching> batch, Optional<BearerAuth> auth) {
    }

    /** Why a change was refused, in terms an API can map to its own answer. */
    public static final class Refused extends RuntimeException {
        public enum Kind { INVALID, NOT_FOUND, CONFLICT, TOO_MANY }

        private final Kind kind;
        private final long retryAfterSeconds;

        Refused(Kind kind, String message) {
            this(kind, message, 0);
        }

        private Refused(Kind kind, String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.kind = kind;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        static Refused tooMany(String message, long retryAfterSeconds) {
            return new Refused(Kind.TOO_MANY, message, retryAfterSeconds);
        }

        public Kind kind() {
            return kind;
        }

        /** For TOO_MANY: when to try again. */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * Creates or updates {@code request.id()} for {@code applicationId}, once its endpoint accepted a signed
     * verification event.
     *
     * @param topicFor the topic, read for a realm, as far as the application may read it (the API's own rule;
     *                 it throws its own refusal otherwise), asked again in each transaction
     */
    public void subscribe(String applicationId, Subscribe request, Function<RealmModel, Topic> topicFor, String correlationId) {
        // Everything the verification needs — topic, endpoint policy, the checks, the signed event — is read in
        // a transaction of its own, and the endpoint is called with none open: a stranger's endpoint may take
        // attempt-timeout to answer, and a database connection held meanwhile (a realm cache miss is enough to
        // take one) would be one fewer for every sign-in of the server.
        if (request.maxInFlight() != null && request.maxInFlight() > settings.maxInFlight()) {
            throw new Refused(Refused.Kind.INVALID, "webHookConfig.maxInFlight must be at most " + settings.maxInFlight() + " on this server");
        }
        URI realmUrl = RealmUrl.configured(realm); // signed: from configuration, never the request's Host header
        SendResult result;
        Verification verification;
        try (Verifications.Pass pass = verifications.enter(applicationId)) { // bounded before anything is read or signed
            verification = KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(),
                    job -> prepareVerification(job, applicationId, request, topicFor, correlationId, realmUrl));
            result = pass.send(verification.policy(), request.endpoint(), request.format(), verification.body(), verification.headers(),
                    verification.identity());
        }
        if (!result.successful()) {
            operational.verificationFailed(session, realm.getId(), applicationId, request.id(), request.topic(), request.endpoint(), result.describe());
            throw new Refused(Refused.Kind.INVALID, "webHookConfig.endpoint did not accept the verification event: " + result.describe());
        }

        // The checks again, in the transaction that writes: the call above may have taken seconds.
        Topic topic = topicFor.apply(realm);
        Subscriptions subscriptions = subscriptions();
        Optional<SubscriptionEntity> existing = subscriptions.byName(request.id());
        existing.ifPresent(subscriptions::lockFresh); // an administrator's stop meanwhile is seen, not overwritten
        checkRoomFor(applicationId, request, existing, subscriptions);
        boolean live = existing.isPresent() && existing.get().getStatus() != SubscriptionStatus.DELETED;
        long now = System.currentTimeMillis();
        Delivery delivery = delivery(request, existing.filter(e -> live).orElse(null)); // refused before anything is changed
        SubscriptionEntity entity = existing.orElseGet(SubscriptionEntity::new);
        if (existing.isEmpty()) {
            entity.setId(UUID.randomUUID().toString());
            entity.setRealmId(realm.getId());
            entity.setName(request.id());
            entity.setApplicationId(applicationId);
            entity.setCreatedAt(now);
        }
        if (!live) {
            entity.setSecret(verification.secret());
            entity.setPreviousSecret(null);
            entity.setPreviousSecretUntil(null);
        }
        entity.setTopic(topic.name());
        entity.setFilter(request.filter());
        entity.setEndpoint(request.endpoint());
        entity.setFormat(request.format().id());
        entity.setOrdering(delivery.ordering().id());
        entity.setMaxInFlight(delivery.maxInFlight());
        entity.setBatch(delivery.batch());
        entity.setAuth(request.auth() != null ? request.auth().orElse(null) : live ? existing.get().getAuth() : null);
        entity.moveTo(SubscriptionStatus.INITIAL);
        entity.setStatusReason(null);
        entity.setFailureStreak(0);
        entity.setBrokenSince(null); // its endpoint just accepted the verification event
        entity.setUpdatedAt(now);
        if (existing.isEmpty()) {
            subscriptions.add(entity);
        }
        try {
            subscriptions.flush();
        } catch (PersistenceException raced) {
            session.getTransactionManager().setRollbackOnly();
            throw new Refused(Refused.Kind.CONFLICT, "Subscription id '" + request.id() + "' is in use by another application");
        }
        wakeAfterCommit();
    }

    /** How a saved subscription delivers: {@code maxInFlight} and {@code batch} null for the defaults (none). */
    private record Delivery(DeliveryOrdering ordering, Integer maxInFlight, Batching batch) {
    }

    /**
     * What a save asks for, an absent field kept from the {@code live} subscription (null: a new one, which gets
     * the defaults): refused here, before the entity is touched, when the result would not hold together.
     */
    private static Delivery delivery(Subscribe request, SubscriptionEntity live) {
        DeliveryOrdering ordering = request.ordering() != null ? request.ordering()
                : live != null ? DeliveryOrdering.stored(live.getOrdering()) : DeliveryOrdering.DEFAULT;
        if (ordering == DeliveryOrdering.SUBSCRIPTION && request.maxInFlight() != null && request.maxInFlight() != 1) {
            throw new Refused(Refused.Kind.INVALID,
                    "webHookConfig.maxInFlight applies only to ordering subject (subscription keeps one POST in flight)");
        }
        Integer maxInFlight = ordering == DeliveryOrdering.SUBSCRIPTION ? null
                : request.maxInFlight() != null || live == null ? request.maxInFlight() : live.getMaxInFlight();
        Batching batch = request.batch() != null ? request.batch().orElse(null) : live == null ? null : live.getBatch();
        if (batch != null && request.format() != BodyFormat.CLOUDEVENTS) {
            throw new Refused(Refused.Kind.INVALID,
                    "webHookConfig.batch needs format cloudevents: this subscription batches; send \"batch\": null to stop");
        }
        return new Delivery(ordering, maxInFlight, batch);
    }

    /**
     * The signed verification event an endpoint must answer with 2xx, the secret it was signed with, and the
     * realm's endpoint policy it is sent under.
     */
    /** @param identity the client certificate the realm's POSTs present, so the verification is sent as deliveries are */
    private record Verification(String secret, byte[] body, Map<String, String> headers, WebhookTargetPolicy policy, ClientIdentity identity) {
    }

    private Verification prepareVerification(KeycloakSession job, String applicationId, Subscribe request,
                                             Function<RealmModel, Topic> topicFor, String correlationId, URI realmUrl) {
        RealmModel jobRealm = job.realms().getRealm(realm.getId());
        Topic topic = topicFor.apply(jobRealm);
        WebhookTargetPolicy policy = WebhookTargets.policy(jobRealm, settings);
        try {
            policy.check(request.endpoint());
        } catch (WebhookTargetPolicy.RefusedTargetException refused) {
            throw new Refused(Refused.Kind.INVALID, "webHookConfig.endpoint refused: " + refused.getMessage());
        }
        Subscriptions subscriptions = new Subscriptions(job, jobRealm.getId());
        Optional<SubscriptionEntity> existing = subscriptions.byName(request.id());
        checkRoomFor(applicationId, request, existing, subscriptions);
        boolean live = existing.isPresent() && existing.get().getStatus() != SubscriptionStatus.DELETED;
        String secret = live ? existing.get().getSecret() : WebhookSecrets.generate();
        BearerAuth auth = request.auth() != null ? request.auth().orElse(null) : live ? existing.get().getAuth() : null;
        EventPayload payload = new EventPayload(UUID.randomUUID().toString(), correlationId, EventPayload.VERIFICATION,
                topic.name(), realm.getName(), Instant.now(), EventFacts.ofVerification(request.id()), null, null, realmUrl);
        byte[] body = payload.toJson(request.format()).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = DeliveryHeaders.of(List.of(secret), payload.id(), correlationId, body,
                ConcurSignature.sign(job, jobRealm, body));
        if (auth != null) { // the grant as it is now: a save never rides on a token cached before
            try {
                headers.put(DeliveryHeaders.AUTHORIZATION, "Bearer " + bearerTokens.fresh(job, jobRealm, realmUrl,
                        new BearerTokens.Key(jobRealm.getId(), applicationId, request.id(), request.endpoint(), auth)));
            } catch (BearerTokens.Refused refused) {
                throw new Refused(Refused.Kind.INVALID, "webHookConfig.auth: no token: " + refused.getMessage());
            }
        }
        return new Verification(secret, body, headers, policy, RealmClientCertificates.presented(job, jobRealm).orElse(null));
    }

    /**
     * The id is the application's or free, a new subscription stays within max-subscriptions, and no
     * administrator stopped it: an application's save ends a receiver's stop (410 Gone), not an administrator's.
     */
    private void checkRoomFor(String applicationId, Subscribe request, Optional<SubscriptionEntity> existing, Subscriptions subscriptions) {
        if (existing.isPresent() && !existing.get().getApplicationId().equals(applicationId)) {
            throw new Refused(Refused.Kind.CONFLICT, "Subscription id '" + request.id() + "' is in use by another application");
        }
        existing.ifPresent(SubscriptionLifecycle::refuseIfStoppedByAnAdministrator);
        boolean live = existing.isPresent() && existing.get().getStatus() != SubscriptionStatus.DELETED;
        int max = settings.maxSubscriptionsPerApplication();
        if (!live && subscriptions.countOfApplication(applicationId) >= max) {
            throw new Refused(Refused.Kind.CONFLICT, "An application may hold at most " + max + " subscriptions; delete one first");
        }
    }

    /** The application's live subscription {@code name}. */
    public Subscription owned(String applicationId, String name) {
        return subscriptions().byName(name)
                .filter(s -> s.getApplicationId().equals(applicationId) && s.getStatus() != SubscriptionStatus.DELETED)
                .map(Subscription::of)
                .orElseThrow(() -> new Refused(Refused.Kind.NOT_FOUND, "Subscription '" + name + "' not found"));
    }

    /** The application's subscriptions, deleted ones included until housekeeping purges them. */
    public List<Subscription> ofApplication(String applicationId) {
        return subscriptions().ofApplication(applicationId).stream().map(Subscription::of).toList();
    }

    /** A page of the realm's subscriptions, of one application and of one status when they are set. */
    public List<Subscription> page(String applicationId, SubscriptionStatus status, int first, int max) {
        return subscriptions().page(applicationId, status, first, max).stream().map(Subscription::of).toList();
    }

    /** The row behind a snapshot, in this transaction. */
    private SubscriptionEntity row(Subscription subscription) {
        return subscriptions().byId(subscription.id())
                .orElseThrow(() -> new Refused(Refused.Kind.NOT_FOUND, "Subscription '" + subscription.name() + "' not found"));
    }

    /**
     * The row behind a snapshot, locked and read again: a change made meanwhile (an administrator's stop, a save, a
     * rotation) is seen, not written back over; one deleted meanwhile is not found, rather than moved from DELETED.
     */
    private SubscriptionEntity lockedLive(Subscription subscription) {
        SubscriptionEntity row = row(subscription);
        subscriptions().lockFresh(row);
        if (row.getStatus() == SubscriptionStatus.DELETED) {
            throw new Refused(Refused.Kind.NOT_FOUND, "Subscription '" + subscription.name() + "' not found");
        }
        return row;
    }

    /** An administrator's stop is the administrators' to lift: the application may neither save nor delete the subscription. */
    private static void refuseIfStoppedByAnAdministrator(SubscriptionEntity subscription) {
        if (subscription.getStatus() == SubscriptionStatus.DISABLED && subscription.getDisabledBy() == DisabledBy.ADMINISTRATOR) {
            throw new Refused(Refused.Kind.CONFLICT, "Subscription '" + subscription.getName() + "' was disabled by an administrator ("
                    + subscription.getStatusReason() + "); only an administrator can enable or delete it");
        }
    }

    /**
     * The application deletes its own subscription, unless an administrator stopped it: deleting it and saving
     * it again would otherwise lift the stop.
     */
    public void cancelByApplication(Subscription snapshot) {
        SubscriptionEntity subscription = lockedLive(snapshot);
        refuseIfStoppedByAnAdministrator(subscription);
        cancelLocked(subscription, "Deleted by its application");
    }

    /** Deletes the subscription; its pending deliveries are cancelled in the same transaction, and never sent. */
    public void cancel(Subscription snapshot, String reason) {
        SubscriptionEntity subscription = lockedLive(snapshot);
        cancelLocked(subscription, reason);
    }

    private void cancelLocked(SubscriptionEntity subscription, String reason) {
        cancelLocked(session, subscription, reason);
    }

    private static void cancelLocked(KeycloakSession session, SubscriptionEntity subscription, String reason) {
        long now = System.currentTimeMillis();
        subscription.moveTo(SubscriptionStatus.DELETED);
        subscription.setStatusReason(reason);
        subscription.setUpdatedAt(now);
        // The subscription's row first, then its deliveries': the order a group commit locks them in.
        new Subscriptions(session, subscription.getRealmId()).flush();
        new Outbox(session).outcomes().cancelPending(subscription.getId(), "subscription deleted", now);
        CompiledFilters.forget(subscription.getId()); // other nodes' copies age out of their bounded caches
    }

    /**
     * Any application's live subscription, for the realm's administrators: {@code key} is its id (name), or
     * {@value SubscriptionIds#BY_UUID}{@code <internal id>}, which reaches rows whose names a client's URL
     * normalisation would rewrite.
     */
    public Subscription live(String key) {
        Subscriptions subscriptions = subscriptions();
        Optional<SubscriptionEntity> found = key.startsWith(SubscriptionIds.BY_UUID)
                ? subscriptions.byId(key.substring(SubscriptionIds.BY_UUID.length()))
                : subscriptions.byName(key);
        return found.filter(s -> s.getStatus() != SubscriptionStatus.DELETED).map(Subscription::of)
                .orElseThrow(() -> new Refused(Refused.Kind.NOT_FOUND, "Subscription '" + key + "' not found"));
    }

    /** The longest reason a status change keeps (the column's size). */
    public static final int MAX_REASON = 255;

    /**
     * An administrator stops a subscription (DISABLED: its queue keeps every row, and no node sends one: a lane
     * serving it stops at its next group commit, whose renewal is fenced on the status) or lets it go on
     * (ACTIVE: its queue is served again, from where it stopped).
     */
    public void setStatus(Subscription snapshot, SubscriptionStatus status, String reason) {
        if (status != SubscriptionStatus.ACTIVE && status != SubscriptionStatus.DISABLED) {
            throw new Refused(Refused.Kind.INVALID, "status must be ACTIVE or DISABLED");
        }
        if (reason != null && reason.length() > MAX_REASON) {
            throw new Refused(Refused.Kind.INVALID, "reason must be at most " + MAX_REASON + " characters");
        }
        SubscriptionEntity subscription = lockedLive(snapshot); // an application's save meanwhile is not written back over
        if (status == SubscriptionStatus.DISABLED) {
            subscription.disable(DisabledBy.ADMINISTRATOR);
        } else {
            subscription.moveTo(status);
        }
        subscription.setStatusReason(status == SubscriptionStatus.ACTIVE ? null : reason == null || reason.isBlank()
                ? "disabled by an administrator" : reason.strip());
        if (status == SubscriptionStatus.ACTIVE) {
            subscription.setBrokenSince(null); // the time it was stopped is not its endpoint failing
            subscription.setFailureStreak(0);
            subscription.setBlockedUntil(null); // its head is tried at once
            subscription.setBlockedBy(null);
        }
        subscription.setUpdatedAt(System.currentTimeMillis());
        subscriptions().flush();
        operational.moved(session, subscription, subscription.getStatusReason() == null ? "enabled by an administrator" : subscription.getStatusReason());
        wakeAfterCommit();
    }

    /** The most deliveries one replay may queue again: a larger window is refused, to be split. */
    public static final int MAX_REPLAY = 100_000;

    /**
     * Queues again every finished delivery of the subscription captured in [{@code from}, {@code to}] (or,
     * with {@code only}, of that status only), in one statement: they go out in their original order, with
     * their original ids (a receiver de-duplicates by {@code webhook-id}), each with a new retention. An
     * administrator's replay is not limited by {@code max-requeues}. Returns how many were queued.
     */
    public int replay(Subscription snapshot, DeliveryStatus only, Instant from, Instant to) {
        if (from.isAfter(to)) {
            throw new Refused(Refused.Kind.INVALID, "from must not be after to");
        }
        SubscriptionEntity subscription = row(snapshot);
        Outbox outbox = new Outbox(session);
        long fromSeq = DeliveryQueries.sequenceAt(from.toEpochMilli());
        long toSeq = DeliveryQueries.sequenceAt(to.toEpochMilli()) + 999;
        long count = outbox.queries().countRequeueable(subscription.getId(), only, fromSeq, toSeq);
        if (count > MAX_REPLAY) {
            throw new Refused(Refused.Kind.INVALID, "The window holds " + count + " deliveries; replay at most " + MAX_REPLAY
                    + " at once (a narrower window)");
        }
        long now = System.currentTimeMillis();
        subscription.setUpdatedAt(now);
        subscriptions().flush(); // the subscription's row first, then its deliveries': the order a group commit locks them in
        int queued = outbox.outcomes().requeueFinished(subscription.getId(), only, fromSeq, toSeq, now);
        wakeAfterCommit();
        return queued;
    }

    /**
     * Queues a finished delivery again, with a new retention, at most {@code max-requeues} times; it goes
     * out in its original place in the queue (its sequence number is kept).
     */
    public void requeue(Subscription subscription, String deliveryId) {
        requeue(subscription, deliveryId, true);
    }

    /** The same for an administrator, whom {@code max-requeues} does not limit. */
    public void redeliver(Subscription subscription, String deliveryId) {
        requeue(subscription, deliveryId, false);
    }

    private void requeue(Subscription subscription, String deliveryId, boolean limited) {
        Outbox outbox = new Outbox(session);
        DeliveryEntity row = Optional.ofNullable(outbox.findLocked(deliveryId)) // two requeues at once: one waits, then sees PENDING
                .filter(d -> d.getSubscriptionId().equals(subscription.id()))
                .orElseThrow(() -> new Refused(Refused.Kind.NOT_FOUND, "Delivery '" + deliveryId + "' not found"));
        if (!row.getStatus().requeueable()) {
            throw new Refused(Refused.Kind.CONFLICT, "Delivery '" + deliveryId + "' is " + row.getStatus()
                    + "; only delivered, rejected or parked deliveries can be queued again");
        }
        int maxRequeues = settings.maxRequeues();
        if (limited && row.getRequeues() >= maxRequeues) {
            throw new Refused(Refused.Kind.CONFLICT, "Delivery '" + deliveryId + "' was queued again " + row.getRequeues()
                    + " time(s) already, the most allowed");
        }
        long now = System.currentTimeMillis();
        row.setRequeues(row.getRequeues() + 1);
        row.moveTo(DeliveryStatus.PENDING);
        row.setNextAttemptAt(now);
        row.setCreatedAt(now); // its retention starts again
        row.setFinishedAt(null);
        wakeAfterCommit();
    }

    /** The secrets that sign its deliveries now, for its owner: the previous one only while it still signs. */
    public Subscription.Secrets secrets(Subscription snapshot) {
        SubscriptionEntity subscription = row(snapshot);
        boolean previousValid = subscription.getPreviousSecretUntil() != null && subscription.getPreviousSecretUntil() > System.currentTimeMillis();
        return new Subscription.Secrets(subscription.getSecret(), previousValid ? subscription.getPreviousSecret() : null,
                previousValid ? subscription.getPreviousSecretUntil() : null);
    }

    /** A new secret signs from now on; the old one signs along with it for {@link #SECRET_OVERLAP}. Returns both. */
    public Subscription.Secrets rotateSecret(Subscription snapshot) {
        SubscriptionEntity subscription = lockedLive(snapshot); // two rotations at once: each answers the secret that signs
        long now = System.currentTimeMillis();
        subscription.setPreviousSecret(subscription.getSecret());
        subscription.setPreviousSecretUntil(now + SECRET_OVERLAP.toMillis());
        subscription.setSecret(WebhookSecrets.generate());
        subscription.setUpdatedAt(now);
        return secrets(snapshot);
    }

    /** The application is gone: its subscriptions are deleted and their pending deliveries cancelled, in this transaction. */
    /**
     * Removes the subscriptions broken since before {@code before} (SAP Concur deletes a subscription that has not
     * delivered for 30 days), each told to {@code keycloak.webhooks} first; an administrator's stop is never removed.
     * In housekeeping's transaction; returns how many.
     */
    public static int removeBroken(KeycloakSessionFactory factory, long before, OperationalEvents operational) {
        // Nothing is locked while the notices are captured: their rows' foreign keys would wait for a lock held here.
        List<String> broken = KeycloakModelUtils.runJobInTransactionWithResult(factory, session ->
                new Outbox(session).retention().brokenBefore(before));
        int removed = 0;
        for (String id : broken) {
            boolean told = KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> {
                Optional<SubscriptionEntity> still = new Outbox(session).retention().ifBrokenBefore(id, before, false);
                still.ifPresent(subscription -> operational.removing(session, subscription, reason(subscription)));
                return still.isPresent();
            });
            if (told) {
                removed += KeycloakModelUtils.runJobInTransactionWithResult(factory, session -> {
                    Optional<SubscriptionEntity> still = new Outbox(session).retention().ifBrokenBefore(id, before, true);
                    still.ifPresent(subscription -> cancelLocked(session, subscription, reason(subscription)));
                    return still.isPresent() ? 1 : 0;
                });
            }
        }
        return removed;
    }

    private static String reason(SubscriptionEntity subscription) {
        return "Removed: no delivery since " + Instant.ofEpochMilli(subscription.getBrokenSince()) + " (broken-removal)";
    }

    public static void revokeApplication(KeycloakSession session, RealmModel realm, String applicationId) {
        new Subscriptions(session, realm.getId()).removeApplication(applicationId, System.currentTimeMillis());
    }

    private Subscriptions subscriptions() {
        return new Subscriptions(session, realm.getId());
    }

    private void wakeAfterCommit() {
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                wake.run();
            }

            @Override
            protected void rollbackImpl() {
            }
        });
    }
}
