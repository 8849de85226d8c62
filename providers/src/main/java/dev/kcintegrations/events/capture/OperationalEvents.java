package dev.kcintegrations.events.capture;

import dev.kcintegrations.events.config.RealmUrl;
import dev.kcintegrations.events.lanes.SubscriptionNotices;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.SubscriptionStatus;
import dev.kcintegrations.events.store.Subscriptions;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.events.topics.Topics;
import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.AdminRoles;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Captures operational events (topic {@code keycloak.webhooks}), delivered, retried, signed and filtered as any event.
 * Each is captured once the change it tells of has committed, in a transaction of its own: captured in the change's
 * own, its outbox rows would lock the receiving subscriptions (their key, for the foreign key) out of the id order
 * in which a client's deletion locks them, and two such transactions could deadlock. A node that dies between the
 * two commits loses that notice; the change itself is in the database and the administrators' API. Who receives one:
 * <ul>
 *   <li>the subscriptions of the application it is about, and of applications whose service account may view the
 *   realm's events (realm-management {@code view-events}: an administrator's application sees every one);</li>
 *   <li>never the subscription it is about: a subscription is not told about itself, so its own failures cannot feed
 *   it events that fail in turn;</li>
 *   <li>parked deliveries of a {@code keycloak.webhooks} subscription are not told at all: two such subscriptions
 *   failing together would otherwise tell each other forever.</li>
 * </ul>
 */
public final class OperationalEvents implements SubscriptionNotices {

    private static final Logger LOG = Logger.getLogger(OperationalEvents.class);

    /** Whether events of {@code eventType} are about one subscription (the others are about the realm's credentials). */
    static boolean aboutASubscription(String eventType) {
        return !eventType.startsWith("clientCertificate.") && !eventType.startsWith("signingKey.");
    }

    private final Consumer<List<String>> committed;

    /** @param committed told, after the transaction committed, which subscriptions got a row (the engine's wake-up) */
    public OperationalEvents(Consumer<List<String>> committed) {
        this.committed = committed;
    }

    @Override
    public void moved(KeycloakSession session, SubscriptionEntity subscription, String reason) {
        RealmModel realm = session.realms().getRealm(subscription.getRealmId());
        if (realm == null) {
            return;
        }
        SubscriptionStatus status = subscription.getStatus();
        OperationalEvent type = switch (status) {
            case SUSPENDED -> OperationalEvent.SUBSCRIPTION_SUSPENDED;
            case DISABLED -> OperationalEvent.SUBSCRIPTION_DISABLED;
            case ACTIVE -> OperationalEvent.SUBSCRIPTION_ENABLED;
            default -> null; // created, deleted: the application did it itself
        };
        if (type != null) {
            emit(session, realm, OperationalFacts.about(type, subscription, clientId(realm, subscription.getApplicationId()),
                    status == SubscriptionStatus.DISABLED && subscription.getDisabledBy() != null ? subscription.getDisabledBy().name() : null,
                    reason, null));
        }
    }

    @Override
    public void parked(KeycloakSession session, SubscriptionEntity subscription, int count) {
        RealmModel realm = session.realms().getRealm(subscription.getRealmId());
        if (realm == null || count < 1 || Topics.named(realm, subscription.getTopic()).map(Topic::source).orElse(null) == Topic.Source.WEBHOOKS) {
            return;
        }
        emit(session, realm, OperationalFacts.about(OperationalEvent.DELIVERIES_PARKED, subscription,
                clientId(realm, subscription.getApplicationId()), null, "retried until retention ended", count));
    }

    /**
     * A broken subscription is about to be removed: told at once, in a transaction of its own, before the removal
     * (which then commits with housekeeping's); a removal that fails is told again at the next run.
     */
    public void removing(KeycloakSession session, SubscriptionEntity subscription, String reason) {
        RealmModel realm = session.realms().getRealm(subscription.getRealmId());
        if (realm == null) {
            return;
        }
        OperationalFacts about = OperationalFacts.about(OperationalEvent.SUBSCRIPTION_REMOVED, subscription,
                clientId(realm, subscription.getApplicationId()), null, reason, null);
        captureAlone(session, realm.getId(), new OperationalFacts(about.type(), about.subscription(), about.applicationId(), about.clientId(),
                about.subscriptionId(), about.topic(), about.endpoint(), "DELETED", null, reason, null, null, null, null));
    }

    /**
     * An endpoint refused a subscription's verification event: captured at once, in a transaction of its own, as the
     * save it refused writes nothing. Everything it reads is read there too: the request that asks holds no database
     * connection while it verifies, and must not take one now, or a few refusals at once hold the whole pool, each
     * waiting for a second connection to capture its notice.
     */
    public void verificationFailed(KeycloakSession session, String realmId, String applicationId, String subscriptionId, String topic,
                                   String endpoint, String reason) {
        captureAlone(session, realmId, OperationalEvent.VERIFICATION_FAILED, (job, realm) -> {
            // A save of an existing subscription: that one is not told about itself either.
            String existing = new Subscriptions(job, realmId).byName(subscriptionId).map(SubscriptionEntity::getId).orElse(null);
            return new OperationalFacts(OperationalEvent.VERIFICATION_FAILED, existing, applicationId,
                    clientId(realm, applicationId), subscriptionId, topic, endpoint, null, null, reason, null, null, null, null);
        });
    }

    /** The realm published a client certificate: every application's receivers may need to trust it. */
    public void clientCertificateAdded(KeycloakSession session, RealmModel realm, String subject, Instant activeFrom) {
        emit(session, realm, new OperationalFacts(OperationalEvent.CLIENT_CERTIFICATE_ADDED, null, null, null, null, null, null, null, null,
                null, null, subject, activeFrom, null));
    }

    /** The realm's webhook signing key {@code kid} retired: every receiver verifying the realm's signatures may care. */
    public void signingKeyRotated(KeycloakSession session, RealmModel realm, String kid) {
        emit(session, realm, new OperationalFacts(OperationalEvent.SIGNING_KEY_ROTATED, null, null, null, null, null, null, null, null,
                "a new key signs from now on; the retired one stays published for signing-key-overlap", null, null, null, kid));
    }

    /** Captures the event once the caller's transaction has committed (nothing if it rolls back). */
    private void emit(KeycloakSession session, RealmModel realm, OperationalFacts facts) {
        String realmId = realm.getId();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                captureAlone(session, realmId, facts);
            }

            @Override
            protected void rollbackImpl() {
            }
        });
    }

    private void captureAlone(KeycloakSession session, String realmId, OperationalFacts facts) {
        captureAlone(session, realmId, facts.type(), (job, realm) -> facts);
    }

    /** Captures, in a transaction of its own, the facts read in that transaction. */
    private void captureAlone(KeycloakSession session, String realmId, OperationalEvent type,
                              BiFunction<KeycloakSession, RealmModel, OperationalFacts> facts) {
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), job -> {
                RealmModel still = job.realms().getRealm(realmId);
                if (still != null) {
                    job.getContext().setRealm(still); // a job's session has no realm; user lookups (service accounts) need one
                    capture(job, still, facts.apply(job, still));
                }
            });
        } catch (RuntimeException e) {
            // the change committed (or was refused); its notice must not turn the caller's answer into an error
            LOG.warnf("Could not capture the operational event %s of realm %s (%s)", type.eventType(), realmId, e.getClass().getSimpleName());
        }
    }

    private void capture(KeycloakSession session, RealmModel realm, OperationalFacts facts) {
        List<Topic> topics = Topics.fedBy(realm, Topic.Source.WEBHOOKS);
        if (topics.isEmpty()) {
            return;
        }
        String id = UUID.randomUUID().toString();
        new EventCapture(session, committed).capture(realm, topics, facts.type().eventType(),
                () -> new EventPayload(id, id, facts.type().eventType(), Topics.KEYCLOAK_WEBHOOKS, realm.getName(), Instant.now(),
                        EventFacts.ofOperational(facts), Topic.Source.WEBHOOKS,
                        facts.subscription() == null ? null : "event-subscriptions/" + facts.subscription(), RealmUrl.configured(realm)),
                recipient -> !recipient.getId().equals(facts.subscription())
                        && (facts.applicationId() == null || facts.applicationId().equals(recipient.getApplicationId())
                        || viewsEvents(session, realm, recipient.getApplicationId())));
    }

    /** Whether the application's service account may view the realm's events: it may see every subscription's. */
    private static boolean viewsEvents(KeycloakSession session, RealmModel realm, String applicationId) {
        ClientModel application = realm.getClientById(applicationId);
        ClientModel management = realm.getClientByClientId(Constants.REALM_MANAGEMENT_CLIENT_ID);
        if (application == null || management == null) {
            return false;
        }
        UserModel account = session.users().getServiceAccount(application);
        RoleModel viewEvents = management.getRole(AdminRoles.VIEW_EVENTS);
        return account != null && account.isEnabled() && viewEvents != null && account.hasRole(viewEvents);
    }

    private static String clientId(RealmModel realm, String applicationId) {
        ClientModel client = applicationId == null ? null : realm.getClientById(applicationId);
        return client == null ? null : client.getClientId();
    }
}
