package dev.kcintegrations.events.config;

import org.junit.jupiter.api.Test;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WebhookSettingsTest {

    @Test
    void durationsAreWrittenWithAUnit() {
        assertEquals(Duration.ofSeconds(5), WebhookSettings.duration("5s"));
        assertEquals(Duration.ofMinutes(30), WebhookSettings.duration("30m"));
        assertEquals(Duration.ofHours(72), WebhookSettings.duration("72h"));
        assertEquals(Duration.ofDays(30), WebhookSettings.duration("30d"));
        assertEquals(Duration.ofMillis(500), WebhookSettings.duration("500ms"));
    }

    @Test
    void aDurationWithoutAUnitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WebhookSettings.duration("5"));
    }

    @Test
    void aHousekeepingIntervalUnderOneSecondIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> settings(Duration.ofMillis(500), 30));
        assertEquals("housekeeping-interval must be at least 1s", refused.getMessage());
    }

    @Test
    void noVerificationsAtAllIsRefusedRatherThanA429ForEverySave() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> settings(Duration.ofMinutes(5), 0));
        assertEquals("verifications-per-minute and max-concurrent-verifications must be at least 1", refused.getMessage());
    }

    /**
     * SAP Concur gives a receiver 60 s to acknowledge; ours is a 15 s attempt. Setting the attempt's deadline (and the
     * silence allowed while answering) to 60 s is enough: the lease follows, unless it was set too.
     */
    @Test
    void concursSixtySecondAcknowledgementIsTwoOptionsAndTheLeaseFollows() {
        WebhookSettings concur = WebhookSettings.from(scope(Map.of("attempt-timeout", "60s", "read-timeout", "60s")));
        assertEquals(Duration.ofSeconds(60), concur.attemptTimeout());
        assertEquals(Duration.ofSeconds(60), concur.readTimeout());
        assertEquals(Duration.ofSeconds(90), concur.lease());
        assertEquals(Duration.ofSeconds(120), WebhookSettings.from(scope(Map.of("attempt-timeout", "60s", "lease", "120s"))).lease());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> WebhookSettings.from(scope(Map.of("attempt-timeout", "60s", "lease", "45s"))));
        assertEquals("lease must be longer than attempt-timeout", refused.getMessage());
    }

    /** Options as {@code --spi-events-listener--webhook-events--<key>=<value>} would give them; the rest default. */
    private static Config.Scope scope(Map<String, String> options) {
        return (Config.Scope) Proxy.newProxyInstance(WebhookSettingsTest.class.getClassLoader(), new Class<?>[]{Config.Scope.class},
                (proxy, method, args) -> {
                    if (args == null || args.length != 2) {
                        return null;
                    }
                    String value = options.get((String) args[0]);
                    return value == null ? args[1] : method.getReturnType() == Integer.class ? Integer.valueOf(value) : value;
                });
    }

    /** The defaults but for a housekeeping interval and verifications a minute. */
    private static WebhookSettings settings(Duration housekeepingInterval, int verificationsPerMinute) {
        return new WebhookSettings(5, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofHours(72),
                Duration.ofDays(30), List.of(Duration.ofSeconds(5)), 32, Duration.ofSeconds(1), Duration.ofSeconds(60), housekeepingInterval,
                List.of(), Duration.ofMinutes(10), Duration.ofDays(90), Duration.ofDays(7), 60, 5, verificationsPerMinute, 8, 64, 256, "webhook-sender",
                Duration.ofDays(7), Duration.ofDays(30));
    }

    /** No option set: the settings are the published defaults, each written once in {@link WebhookSettings.Option}. */
    @Test
    void theDefaultsInUseAreThePublishedOnes() {
        Config.Scope empty = (Config.Scope) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Config.Scope.class},
                (proxy, method, args) -> args != null && args.length == 2 ? args[1] : null); // get(key, default), getInt(key, default)
        WebhookSettings settings = WebhookSettings.from(empty);
        assertEquals(5, settings.maxSubscriptionsPerApplication());
        assertEquals(32, settings.maxConcurrentDeliveries());
        assertEquals(Duration.ofHours(72), settings.retention());
        assertEquals(Duration.ofSeconds(60), settings.lease());
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
                Duration.ofHours(5), Duration.ofHours(10)), settings.retrySchedule());
        List<ProviderConfigProperty> published = WebhookSettings.metadata();
        assertEquals(WebhookSettings.Option.values().length, published.size());
        ProviderConfigProperty lanes = published.stream().filter(p -> p.getName().equals("max-concurrent-deliveries")).findFirst().orElseThrow();
        assertEquals(32, lanes.getDefaultValue());
        ProviderConfigProperty retention = published.stream().filter(p -> p.getName().equals("retention")).findFirst().orElseThrow();
        assertEquals("72h", retention.getDefaultValue());
    }
}
