package dev.kcintegrations.events;

import org.keycloak.Config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

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
 */
public record WebhookSettings(int maxSubscriptionsPerApplication, Duration connectTimeout, Duration readTimeout,
                              Duration attemptTimeout, Duration retention, Duration history, List<Duration> retrySchedule,
                              int maxConcurrentDeliveries, Duration pollInterval, Duration lease,
                              Duration housekeepingInterval, List<String> allowedHosts, Duration healthMaxOverdue,
                              Duration signingKeyLifetime,
                              Duration signingKeyOverlap, int testEventsPerMinute, int maxRequeues) {

    public static final String DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h";

    public static WebhookSettings from(Config.Scope config) {
        return new WebhookSettings(
                config.getInt("max-subscriptions", 5),
                duration(config.get("connect-timeout", "5s")),
                duration(config.get("read-timeout", "10s")),
                duration(config.get("attempt-timeout", "15s")),
                duration(config.get("retention", "72h")),
                duration(config.get("history", "30d")),
                Arrays.stream(config.get("retry-schedule", DEFAULT_RETRY_SCHEDULE).split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).map(WebhookSettings::duration).toList(),
                config.getInt("max-concurrent-deliveries", 32),
                duration(config.get("poll-interval", "1s")),
                duration(config.get("lease", "60s")),
                duration(config.get("housekeeping-interval", "5m")),
                Arrays.stream(config.get("allowed-hosts", "").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList(),
                duration(config.get("health-max-overdue", "10m")),
                duration(config.get("signing-key-lifetime", "90d")),
                duration(config.get("signing-key-overlap", "7d")),
                config.getInt("test-events-per-minute", 60),
                config.getInt("max-requeues", 5));
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
        if (housekeepingInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            // Keycloak's cluster-aware runner counts its lock in whole seconds.
            throw new IllegalArgumentException("housekeeping-interval must be at least 1s");
        }
        if (testEventsPerMinute < 1 || maxRequeues < 0) {
            throw new IllegalArgumentException("test-events-per-minute must be at least 1 and max-requeues at least 0");
        }
        retrySchedule = List.copyOf(retrySchedule);
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Delay before attempt {@code failedAttempts + 1}. */
    public Duration delayAfter(int failedAttempts) {
        return retrySchedule.get(Math.min(failedAttempts, retrySchedule.size()) - 1);
    }

    public static Duration duration(String text) {
        String value = text.strip().toLowerCase(java.util.Locale.ROOT);
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
