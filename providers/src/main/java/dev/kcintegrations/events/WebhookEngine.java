package dev.kcintegrations.events;

import dev.kcintegrations.events.capture.OperationalEvents;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lanes.LaneScheduler;
import dev.kcintegrations.events.lifecycle.StoredSubscriptionCheck;
import dev.kcintegrations.events.lifecycle.SubscriptionLifecycle;
import dev.kcintegrations.events.lifecycle.Verifications;
import dev.kcintegrations.events.ops.DeliveryMetrics;
import dev.kcintegrations.events.ops.HousekeepingHooks;
import dev.kcintegrations.events.ops.OutboxHealth;
import dev.kcintegrations.events.ops.WebhookHousekeeping;
import dev.kcintegrations.events.sender.BearerTokens;
import dev.kcintegrations.events.sender.WebhookSender;
import dev.kcintegrations.events.store.ClientCertificateEntity;
import dev.kcintegrations.events.store.ClientCertificates;
import dev.kcintegrations.events.store.SigningKeys;
import dev.kcintegrations.events.store.SubscriptionEntity;
import dev.kcintegrations.events.store.Subscriptions;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.scheduled.ScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;

/**
 * The webhook engine of a node: a global event listener (it sees every realm's events without being added
 * to a realm's listener list) that captures events into the outbox, the dispatcher that delivers it, and
 * the cluster-wide housekeeping. Options: {@code --spi-events-listener--webhook-events--<option>}, see
 * {@link WebhookSettings}.
 */
public final class WebhookEngine implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "webhook-events";
    private static final Logger LOG = Logger.getLogger(WebhookEngine.class);

    private WebhookSettings settings;
    private DeliveryMetrics metrics;
    private WebhookSender sender;
    private Verifications verifications;
    private BearerTokens bearerTokens;
    private OperationalEvents operationalEvents;
    private volatile LaneScheduler lanes;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new WebhookEventListener(session, this);
    }

    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public void init(Config.Scope config) {
        settings = WebhookSettings.from(config);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        metrics = new DeliveryMetrics();
        sender = new WebhookSender(settings.connectTimeout(), settings.readTimeout(), settings.attemptTimeout(),
                settings.maxConnections());
        verifications = new Verifications(settings);
        bearerTokens = new BearerTokens(settings.bearerClient());
        operationalEvents = new OperationalEvents(this::captured);
        // Deliver only once the database schema (ours included) is migrated.
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                start(factory);
            } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
                // in the transaction that removes the client: both commit or neither
                SubscriptionLifecycle.revokeApplication(removed.getKeycloakSession(), removed.getClient().getRealm(),
                        removed.getClient().getId());
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                new Subscriptions(removed.getKeycloakSession(), removed.getRealm().getId()).removeRealm();
                new SigningKeys(removed.getKeycloakSession()).removeRealm(removed.getRealm().getId());
                new ClientCertificates(removed.getKeycloakSession()).removeRealm(removed.getRealm().getId());
            }
        });
    }

    private synchronized void start(KeycloakSessionFactory factory) {
        if (lanes != null) {
            return;
        }
        OutboxHealth health = new OutboxHealth(settings.healthMaxOverdue(), LaneScheduler.STATS_EVERY);
        OutboxHealth.install(health);
        lanes = new LaneScheduler(factory, settings, sender, bearerTokens, metrics, health, nodeName(), operationalEvents);
        lanes.start();
        // Every node's timer fires, and the compare-and-set in KCI_WEBHOOK_JOB (WebhookHousekeeping) lets one run
        // per interval. Not also Keycloak's ClusterAwareScheduledTaskRunner: two layers deciding the same thing
        // made which one stood back a matter of timing (its marker has whole-second lifespans).
        KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class).schedule(
                new ScheduledTaskRunner(factory, new WebhookHousekeeping(settings, metrics, nodeName(), new HousekeepingHooks() {
                    @Override
                    public void parked(KeycloakSession session, SubscriptionEntity subscription, int count) {
                        operationalEvents.parked(session, subscription, count);
                    }

                    @Override
                    public int removeBroken(KeycloakSessionFactory sessions, long before) {
                        return SubscriptionLifecycle.removeBroken(sessions, before, operationalEvents);
                    }

                    @Override
                    public void signingKeyRotated(KeycloakSession session, String realmId, String kid) {
                        RealmModel realm = session.realms().getRealm(realmId);
                        if (realm != null) {
                            operationalEvents.signingKeyRotated(session, realm, kid);
                        }
                    }

                    @Override
                    public void clientCertificateAdded(KeycloakSession session, ClientCertificateEntity made) {
                        RealmModel realm = session.realms().getRealm(made.getRealmId());
                        if (realm != null) {
                            operationalEvents.clientCertificateAdded(session, realm, made.getSubject(), Instant.ofEpochMilli(made.getActiveFrom()));
                        }
                    }
                })),
                settings.housekeepingInterval().toMillis(), "kci-webhook-housekeeping"));
        try {
            StoredSubscriptionCheck.logFindings(factory);
        } catch (RuntimeException e) {
            // a warning that could not be made must not keep delivery from starting
            LOG.warnf("Could not check stored subscriptions and topics against today's rules: %s", e.getClass().getSimpleName());
        }
        LOG.infof("Webhook delivery started on %s (%d lanes, retention %s)", nodeName(),
                settings.maxConcurrentDeliveries(), settings.retention());
    }

    private static String nodeName() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    public WebhookSettings settings() {
        return settings;
    }

    /** The bearer tokens of subscriptions with {@code webHookConfig.auth}, issued by their realms and cached. */
    public BearerTokens bearerTokens() {
        return bearerTokens;
    }

    /** The events of topic keycloak.webhooks: what happens to subscriptions, deliveries and the realm's credentials. */
    public OperationalEvents operationalEvents() {
        return operationalEvents;
    }

    /** Endpoint verifications: their own client and bounds, never the deliveries' connections. */
    public Verifications verifications() {
        return verifications;
    }

    /** After a capture committed: counted, and the lanes of these subscriptions read again, or they are claimed. */
    public void captured(List<String> subscriptionIds) {
        metrics.queued(subscriptionIds.size());
        LaneScheduler current = lanes;
        if (current != null) {
            current.wake(subscriptionIds);
        }
    }

    /** After an API change committed that may make a queue due (a requeue, a verified subscription). */
    public void wakeDispatcher() {
        LaneScheduler current = lanes;
        if (current != null) {
            current.poke();
        }
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return WebhookSettings.metadata();
    }

    @Override
    public void close() {
        if (lanes != null) {
            lanes.close();
        }
        for (Closeable client : new Closeable[]{sender, verifications}) {
            try {
                if (client != null) {
                    client.close();
                }
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
