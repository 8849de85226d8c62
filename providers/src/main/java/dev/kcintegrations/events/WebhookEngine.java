package dev.kcintegrations.events;

import dev.kcintegrations.events.delivery.DeliveryMetrics;
import dev.kcintegrations.events.delivery.OutboxHealth;
import dev.kcintegrations.events.delivery.WebhookHousekeeping;
import dev.kcintegrations.events.delivery.WebhookSender;
import dev.kcintegrations.events.lanes.LaneScheduler;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import dev.kcintegrations.events.store.SigningKeys;
import dev.kcintegrations.events.store.Subscriptions;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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
                settings.maxConcurrentDeliveries());
        // Deliver only once the database schema (ours included) is migrated.
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                start(factory);
            } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
                // in the transaction that removes the client: both commit or neither
                new Subscriptions(removed.getKeycloakSession(), removed.getClient().getRealm().getId())
                        .removeApplication(removed.getClient().getId(), System.currentTimeMillis());
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                new Subscriptions(removed.getKeycloakSession(), removed.getRealm().getId()).removeRealm();
                new SigningKeys(removed.getKeycloakSession()).removeRealm(removed.getRealm().getId());
            }
        });
    }

    private synchronized void start(KeycloakSessionFactory factory) {
        if (lanes != null) {
            return;
        }
        OutboxHealth health = new OutboxHealth(settings.healthMaxOverdue(), LaneScheduler.STATS_EVERY);
        OutboxHealth.install(health);
        lanes = new LaneScheduler(factory, settings, sender, metrics, health, nodeName());
        lanes.start();
        KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class).schedule(
                new ClusterAwareScheduledTaskRunner(factory, new WebhookHousekeeping(settings, metrics, nodeName()),
                        settings.housekeepingInterval().toMillis()),
                settings.housekeepingInterval().toMillis(), "kci-webhook-housekeeping"));
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

    public DeliveryMetrics metrics() {
        return metrics;
    }

    public WebhookSender sender() {
        return sender;
    }

    /** After a capture committed: the lanes of these subscriptions read again, or they are claimed. */
    public void wake(java.util.Collection<String> subscriptionIds) {
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

    public static WebhookEngine of(KeycloakSession session) {
        return (WebhookEngine) session.getKeycloakSessionFactory().getProviderFactory(EventListenerProvider.class, PROVIDER_ID);
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("max-subscriptions").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(5)
                .helpText("Webhook subscriptions one application may hold").add()
                .property().name("connect-timeout").type(ProviderConfigProperty.STRING_TYPE).defaultValue("5s")
                .helpText("Connect timeout of a delivery").add()
                .property().name("read-timeout").type(ProviderConfigProperty.STRING_TYPE).defaultValue("10s")
                .helpText("Time a receiver has to answer").add()
                .property().name("attempt-timeout").type(ProviderConfigProperty.STRING_TYPE).defaultValue("15s")
                .helpText("Deadline of one delivery attempt: DNS, connect, TLS, send and the complete answer").add()
                .property().name("signing-key-lifetime").type(ProviderConfigProperty.STRING_TYPE).defaultValue("90d")
                .helpText("How long a realm's webhook signing key signs before housekeeping rotates it").add()
                .property().name("signing-key-overlap").type(ProviderConfigProperty.STRING_TYPE).defaultValue("7d")
                .helpText("How long a retired webhook signing key stays in events/v4/jwks").add()
                .property().name("retention").type(ProviderConfigProperty.STRING_TYPE).defaultValue("72h")
                .helpText("How long an undelivered event is retried before it is parked").add()
                .property().name("history").type(ProviderConfigProperty.STRING_TYPE).defaultValue("30d")
                .helpText("How long parked and rejected deliveries and their attempts are kept").add()
                .property().name("retry-schedule").type(ProviderConfigProperty.STRING_TYPE).defaultValue(WebhookSettings.DEFAULT_RETRY_SCHEDULE)
                .helpText("Delays before the 2nd, 3rd, ... attempt (the last repeats), jittered by 10 %").add()
                .property().name("max-concurrent-deliveries").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(32)
                .helpText("Subscriptions one node serves at once (lanes; each has one delivery in flight)").add()
                .property().name("poll-interval").type(ProviderConfigProperty.STRING_TYPE).defaultValue("1s")
                .helpText("How often a node looks for due deliveries when no capture woke it").add()
                .property().name("lease").type(ProviderConfigProperty.STRING_TYPE).defaultValue("60s")
                .helpText("How long a node's claim on a subscription lasts unless renewed (longer than attempt-timeout)").add()
                .property().name("housekeeping-interval").type(ProviderConfigProperty.STRING_TYPE).defaultValue("5m")
                .helpText("How often expired deliveries are parked and old rows purged (once per cluster)").add()
                .property().name("health-max-overdue").type(ProviderConfigProperty.STRING_TYPE).defaultValue("10m")
                .helpText("Readiness turns DOWN when a due delivery waits longer than this to be claimed (0s: no check)").add()
                .property().name("test-events-per-minute").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(60)
                .helpText("Test events one application may publish a minute on one node; more get 429 with Retry-After").add()
                .property().name("max-requeues").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(5)
                .helpText("How often one delivery may be queued again through the API (each starts a new retention)").add()
                .property().name("allowed-hosts").type(ProviderConfigProperty.STRING_TYPE).defaultValue("")
                .helpText("Comma-separated hosts webhooks may target although private or plain http").add()
                .build();
    }

    @Override
    public void close() {
        if (lanes != null) {
            lanes.close();
        }
        if (sender != null) {
            try {
                sender.close();
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
