package dev.kcintegrations.events.config;

import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The server-wide options of webhook delivery, read once from
 * {@code --spi-events-listener--webhook-events--<option>}. Every duration is written like {@code 5s},
 * {@code 5m}, {@code 2h} or {@code 3d}.
 *
 * @param maxSubscriptionsPerApplication subscriptions one application may hold (the source's limit is 5)
 * @param connectTimeout                 TCP/TLS connect timeout of one delivery attempt
 * @param readTimeout                    longest silence of a receiver while it answers
 * @param attemptTimeout                 deadline of one attempt: DNS, connect, TLS, send and the whole answer
 * @param retention                      how long an undelivered event is retried before it is parked
 * @param history                        how long parked and rejected deliveries and all attempts are kept
 * @param retrySchedule                  delay before the 2nd, 3rd, … attempt; the last one repeats
 * @param maxConcurrentDeliveries        deliveries in flight at once on this node
 * @param pollInterval                   how often a node looks for due deliveries when nothing woke it
 * @param lease                          how long a claimed delivery belongs to the node that claimed it
 * @param housekeepingInterval           how often (once per cluster) expired rows are parked and old rows purged
 * @param allowedHosts                   hosts that may be private or plain http (added to each realm's list)
 * @param healthMaxOverdue               readiness is DOWN when a due delivery waits longer to be claimed; zero: no check
 * @param signingKeyLifetime             how long a realm's webhook signing key signs before it is rotated
 * @param signingKeyOverlap              how long a retired signing key stays published for verification
 * @param testEventsPerMinute            test events one application may publish a minute on one node
 * @param maxRequeues                    how often one delivery may be queued again through the API
 * @param verificationsPerMinute         endpoint verifications (subscription saves) one application may cause a minute on one node
 * @param maxConcurrentVerifications     verification calls in flight at once on this node, on a client of their own
 * @param bearerClient                   the client id of each realm's client that bearer tokens for receivers are issued to
 * @param clientCertificateOverlap       how long a realm's new client certificate is published before POSTs present it
 * @param brokenRemoval                  how long a subscription may fail without a delivery before it is removed; zero: never
 */
public record WebhookSettings(int maxSubscriptionsPerApplication, Duration connectTimeout, Duration readTimeout,
                              Duration attemptTimeout, Duration retention, Duration history, List<Duration> retrySchedule,
                              int maxConcurrentDeliveries, Duration pollInterval, Duration lease,
                              Duration housekeepingInterval, List<String> allowedHosts, Duration healthMaxOverdue,
                              Duration signingKeyLifetime,
                              Duration signingKeyOverlap, int testEventsPerMinute, int maxRequeues, int verificationsPerMinute,
                              int maxConcurrentVerifications, int maxInFlight, int maxConnections, String bearerClient,
                              Duration clientCertificateOverlap, Duration brokenRemoval) {

    /**
     * Every option of the engine, each with its one default and help text: {@link #from} reads them, and the
     * engine's {@code getConfigMetadata()} publishes them (so {@code kc.sh --help} and the admin console's
     * server info show the same defaults the code uses).
     */
    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    public enum Option {
        MAX_SUBSCRIPTIONS("max-subscriptions", ProviderConfigProperty.INTEGER_TYPE, "5", "Webhook subscriptions one application may hold"),
        CONNECT_TIMEOUT("connect-timeout", ProviderConfigProperty.STRING_TYPE, "5s", "Connect timeout of a delivery"),
        READ_TIMEOUT("read-timeout", ProviderConfigProperty.STRING_TYPE, "10s", "Time a receiver has to answer"),
        ATTEMPT_TIMEOUT("attempt-timeout", ProviderConfigProperty.STRING_TYPE, "15s",
                "Deadline of one delivery attempt: DNS, connect, TLS, send and the complete answer"),
        SIGNING_KEY_LIFETIME("signing-key-lifetime", ProviderConfigProperty.STRING_TYPE, "90d",
                "How long a realm's webhook signing key signs before housekeeping rotates it"),
        SIGNING_KEY_OVERLAP("signing-key-overlap", ProviderConfigProperty.STRING_TYPE, "7d",
                "How long a retired webhook signing key stays in events/v4/jwks"),
        RETENTION("retention", ProviderConfigProperty.STRING_TYPE, "72h", "How long an undelivered event is retried before it is parked"),
        HISTORY("history", ProviderConfigProperty.STRING_TYPE, "30d", "How long parked and rejected deliveries and their attempts are kept"),
        RETRY_SCHEDULE("retry-schedule", ProviderConfigProperty.STRING_TYPE, "5s,5m,30m,2h,5h,10h",
                "Delays before the 2nd, 3rd, ... attempt (the last repeats), jittered by 10 %"),
        MAX_CONCURRENT_DELIVERIES("max-concurrent-deliveries", ProviderConfigProperty.INTEGER_TYPE, "32",
                "Subscriptions one node serves at once (lanes; each keeps up to its window of deliveries in flight)"),
        MAX_IN_FLIGHT("max-in-flight", ProviderConfigProperty.INTEGER_TYPE, "64",
                "Deliveries one subscription may keep in flight at most (webHookConfig.maxInFlight is capped by it; 1-64)"),
        MAX_CONNECTIONS("max-connections", ProviderConfigProperty.INTEGER_TYPE, "256",
                "Deliveries in flight at once on one node, over all subscriptions (the connection pool's size)"),
        POLL_INTERVAL("poll-interval", ProviderConfigProperty.STRING_TYPE, "1s",
                "How often a node looks for due deliveries when no capture woke it"),
        LEASE("lease", ProviderConfigProperty.STRING_TYPE, "",
                "How long a node's claim on a subscription lasts unless renewed (longer than attempt-timeout); default 60s, or"
                        + " attempt-timeout + 30s when that is longer"),
        HOUSEKEEPING_INTERVAL("housekeeping-interval", ProviderConfigProperty.STRING_TYPE, "5m",
                "How often expired deliveries are parked and old rows purged (once per cluster)"),
        HEALTH_MAX_OVERDUE("health-max-overdue", ProviderConfigProperty.STRING_TYPE, "10m",
                "Readiness turns DOWN when a due delivery waits longer than this to be claimed (0s: no check)"),
        TEST_EVENTS_PER_MINUTE("test-events-per-minute", ProviderConfigProperty.INTEGER_TYPE, "60",
                "Test events one application may publish a minute on one node; more get 429 with Retry-After"),
        MAX_REQUEUES("max-requeues", ProviderConfigProperty.INTEGER_TYPE, "5",
                "How often one delivery may be queued again through the API (each starts a new retention)"),
        VERIFICATIONS_PER_MINUTE("verifications-per-minute", ProviderConfigProperty.INTEGER_TYPE, "30",
                "Subscription saves (each calls the endpoint with a verification event) one application may make a minute on one node;"
                        + " more get 429 with Retry-After"),
        MAX_CONCURRENT_VERIFICATIONS("max-concurrent-verifications", ProviderConfigProperty.INTEGER_TYPE, "8",
                "Verification calls in flight at once on one node (one per application), on connections of their own, never the"
                        + " deliveries'; more get 429 with Retry-After"),
        ALLOWED_HOSTS("allowed-hosts", ProviderConfigProperty.STRING_TYPE, "",
                "Comma-separated hosts webhooks may target although private or plain http"),
        BEARER_CLIENT("bearer-client", ProviderConfigProperty.STRING_TYPE, "webhook-sender",
                "Client id of each realm's confidential client (with a service account) that the bearer tokens of"
                        + " webHookConfig.auth are issued to"),
        CLIENT_CERTIFICATE_OVERLAP("client-certificate-overlap", ProviderConfigProperty.STRING_TYPE, "7d",
                "How long a realm's new webhook client certificate is published (events/v4/client-certificates) before POSTs"
                        + " present it, while the realm presents another; receivers that pin the certificate trust both meanwhile"),
        BROKEN_REMOVAL("broken-removal", ProviderConfigProperty.STRING_TYPE, "30d",
                "How long a subscription's endpoint may fail without one delivery before housekeeping removes the subscription"
                        + " (SAP Concur: 30 days), telling keycloak.webhooks first; 0: never. An administrator's stop is never removed");

        public final String key;
        public final String type;
        public final String defaultValue;
        public final String help;

        Option(String key, String type, String defaultValue, String help) {
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
            this.help = help;
        }

        String in(Config.Scope config) {
            return config.get(key, defaultValue);
        }

        int intIn(Config.Scope config) {
            return config.getInt(key, Integer.parseInt(defaultValue));
        }

        Duration durationIn(Config.Scope config) {
            return duration(in(config));
        }

        List<String> listIn(Config.Scope config) {
            return Arrays.stream(in(config).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }

    /** The options as Keycloak's provider metadata. */
    public static List<ProviderConfigProperty> metadata() {
        ProviderConfigurationBuilder builder = ProviderConfigurationBuilder.create();
        for (Option option : Option.values()) {
            Object defaultValue = option.type.equals(ProviderConfigProperty.INTEGER_TYPE) ? Integer.valueOf(option.defaultValue) : option.defaultValue;
            builder.property().name(option.key).type(option.type).defaultValue(defaultValue).helpText(option.help).add();
        }
        return builder.build();
    }

    public static WebhookSettings from(Config.Scope config) {
        return new WebhookSettings(
                Option.MAX_SUBSCRIPTIONS.intIn(config),
                Option.CONNECT_TIMEOUT.durationIn(config),
                Option.READ_TIMEOUT.durationIn(config),
                Option.ATTEMPT_TIMEOUT.durationIn(config),
                Option.RETENTION.durationIn(config),
                Option.HISTORY.durationIn(config),
                Option.RETRY_SCHEDULE.listIn(config).stream().map(WebhookSettings::duration).toList(),
                Option.MAX_CONCURRENT_DELIVERIES.intIn(config),
                Option.POLL_INTERVAL.durationIn(config),
                lease(Option.LEASE.in(config), Option.ATTEMPT_TIMEOUT.durationIn(config)),
                Option.HOUSEKEEPING_INTERVAL.durationIn(config),
                Option.ALLOWED_HOSTS.listIn(config),
                Option.HEALTH_MAX_OVERDUE.durationIn(config),
                Option.SIGNING_KEY_LIFETIME.durationIn(config),
                Option.SIGNING_KEY_OVERLAP.durationIn(config),
                Option.TEST_EVENTS_PER_MINUTE.intIn(config),
                Option.MAX_REQUEUES.intIn(config),
                Option.VERIFICATIONS_PER_MINUTE.intIn(config),
                Option.MAX_CONCURRENT_VERIFICATIONS.intIn(config),
                Option.MAX_IN_FLIGHT.intIn(config),
                Option.MAX_CONNECTIONS.intIn(config),
                Option.BEARER_CLIENT.in(config).strip(),
                Option.CLIENT_CERTIFICATE_OVERLAP.durationIn(config),
                Option.BROKEN_REMOVAL.durationIn(config));
    }

    /**
     * The lease as set, else 60 s or, when an attempt may take longer (SAP Concur gives receivers 60 s to acknowledge:
     * {@code attempt-timeout=60s} with {@code read-timeout=60s}), the attempt's deadline and 30 s: setting the one
     * option must not stop the server with "lease must be longer than attempt-timeout".
     */
    static Duration lease(String set, Duration attemptTimeout) {
        if (set != null && !set.isBlank()) {
            return duration(set);
        }
        Duration atLeast = attemptTimeout.plusSeconds(30);
        return atLeast.compareTo(DEFAULT_LEASE) > 0 ? atLeast : DEFAULT_LEASE;
    }

    public WebhookSettings {
        if (retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("retry-schedule needs at least one delay");
        }
        if (lease.compareTo(attemptTimeout) <= 0) {
            throw new IllegalArgumentException("lease must be longer than attempt-timeout");
        }
        if (attemptTimeout.isZero() || attemptTimeout.isNegative()) {
            throw new IllegalArgumentException("attempt-timeout must be positive");
        }
        if (verificationsPerMinute < 1 || maxConcurrentVerifications < 1) {
            // Zero would refuse every subscription save with a 429 that never ends.
            throw new IllegalArgumentException("verifications-per-minute and max-concurrent-verifications must be at least 1");
        }
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_BOUND || maxConnections < 1) {
            throw new IllegalArgumentException("max-in-flight must be 1-" + MAX_IN_FLIGHT_BOUND + " and max-connections at least 1");
        }
        if (housekeepingInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            // Each node's timer fires every interval and asks the database; faster than that is busy work.
            throw new IllegalArgumentException("housekeeping-interval must be at least 1s");
        }
        if (testEventsPerMinute < 1 || maxRequeues < 0) {
            throw new IllegalArgumentException("test-events-per-minute must be at least 1 and max-requeues at least 0");
        }
        retrySchedule = List.copyOf(retrySchedule);
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** The most a subscription may ask for as {@code webHookConfig.maxInFlight}, and the most the option allows. */
    public static final int MAX_IN_FLIGHT_BOUND = 64;
    /** What a {@code subject}-ordered subscription keeps in flight when it names no {@code maxInFlight}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;

    /** In flight for a subscription that names no maxInFlight: the default, within the node's bound. */
    public int defaultMaxInFlight() {
        return Math.min(DEFAULT_MAX_IN_FLIGHT, maxInFlight);
    }

    /** Delay before attempt {@code failedAttempts + 1}. */
    public Duration delayAfter(int failedAttempts) {
        return retrySchedule.get(Math.min(failedAttempts, retrySchedule.size()) - 1);
    }

    public static Duration duration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.matches("\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (!value.matches("\\d+[smhd]")) {
            throw new IllegalArgumentException("Not a duration (like 5s, 5m, 2h, 3d, 500ms): " + text);
        }
        long amount = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
