package dev.kcintegrations.events.capture;

import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.Subscriptions;
import dev.kcintegrations.events.topics.SubscriberAccess;
import dev.kcintegrations.events.topics.Topic;
import org.jboss.logging.Logger;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Writes one outbox row per subscription that wants an event, in the caller's transaction: the rows exist
 * exactly when the change that produced the event committed. Topic and filter are decided here, so the
 * request pays one indexed query and one insert per matching subscription, and never a network call.
 */
public final class EventCapture {

    private static final Logger LOG = Logger.getLogger(EventCapture.class);

    private final KeycloakSession session;
    private final Consumer<List<String>> committed;

    /** @param committed told, after the transaction committed, which subscriptions got a row (one id per row) */
    public EventCapture(KeycloakSession session, Consumer<List<String>> committed) {
        this.session = session;
        this.committed = committed;
    }

    /** @param onlyApplication when set, only that application's subscriptions (test events) */
    public int capture(RealmModel realm, List<Topic> topics, EventPayload payload, String onlyApplication) {
        return capture(realm, topics, payload.eventType(), () -> payload, onlyApplication);
    }

    /**
     * @param payload built only when a subscription wants the event: most events in most realms have none,
     *                and they should cost the request no more than the lookup
     */
    public int capture(RealmModel realm, List<Topic> topics, String eventType, Supplier<EventPayload> payload,
                       String onlyApplication) {
        return capture(realm, topics, eventType, payload,
                subscription -> onlyApplication == null || onlyApplication.equals(subscription.getApplicationId()));
    }

    /** For every subscription whose topic and filter want it: Keycloak's user and admin events. */
    public int capture(RealmModel realm, List<Topic> topics, String eventType, Supplier<EventPayload> payload) {
        return capture(realm, topics, eventType, payload, subscription -> true);
    }

    /** @param recipient which of the subscriptions whose topic and filter want the event get it */
    public int capture(RealmModel realm, List<Topic> topics, String eventType, Supplier<EventPayload> payload,
                       Predicate<SubscriptionEntity> recipient) {
        Map<String, Topic> carrying = new HashMap<>();
        topics.stream().filter(topic -> topic.carries(eventType)).forEach(topic -> carrying.put(topic.name(), topic));
        if (carrying.isEmpty()) {
            return 0;
        }
        List<SubscriptionEntity> subscriptions = new Subscriptions(session, realm.getId()).activeFor(carrying.keySet());
        Outbox outbox = null;
        EventPayload event = null;
        String orderKey = null;
        Map<String, SignedBody> bodies = new HashMap<>(2); // one body and signature per topic and format, not per subscription
        List<String> woken = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (SubscriptionEntity subscription : subscriptions) {
            if (!recipient.test(subscription)) {
                continue;
            }
            if (!CompiledFilters.matches(subscription.getId(), subscription.getFilter(), eventType)) {
                continue;
            }
            if (SubscriberAccess.denial(realm, subscription.getApplicationId(), carrying.get(subscription.getTopic())).isPresent()) {
                continue; // an application that lost its right to the topic is not sent what happens meanwhile
            }
            outbox = outbox == null ? new Outbox(session) : outbox;
            event = event == null ? payload.get() : event;
            EventPayload built = event;
            BodyFormat format = BodyFormat.stored(subscription.getFormat());
            SignedBody body = bodies.computeIfAbsent(subscription.getTopic() + " " + format.id(),
                    key -> sign(realm, built.forTopic(subscription.getTopic()).toJson(format)));
            orderKey = orderKey == null ? OrderKey.of(built) : orderKey;
            outbox.enqueue(subscription, built.id(), eventType, built.correlationId(), orderKey, format, body.json(), body.signature(),
                    body.kid(), now);
            woken.add(subscription.getId());
        }
        int rows = woken.size();
        if (rows > 0) {
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    committed.accept(woken);
                }

                @Override
                protected void rollbackImpl() {
                }
            });
        }
        return rows;
    }

    /** A body as every subscription of one topic and format gets it, with its Concur-Signature (null: signed when sent). */
    private record SignedBody(String json, String signature, String kid) {
    }

    /**
     * Signs the body here, once, rather than in each lane that sends it: the subscriptions of an event may be
     * served by several nodes, and RS256 is most of what a delivery costs. The request pays one signature per
     * event, topic and format.
     */
    private SignedBody sign(RealmModel realm, String json) {
        try {
            KeyWrapper key = ConcurSignature.activeKey(session, realm);
            return new SignedBody(json, ConcurSignature.sign(key, json.getBytes(StandardCharsets.UTF_8)), key.getKid());
        } catch (RuntimeException e) {
            // The event is still captured: the lane signs it when it sends it, as for a row whose key retired.
            LOG.debugf("Could not sign a webhook body at capture (%s); it is signed when sent", e.getClass().getSimpleName());
            return new SignedBody(json, null, null);
        }
    }
}
