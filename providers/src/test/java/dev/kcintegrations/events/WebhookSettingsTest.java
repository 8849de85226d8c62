package dev.kcintegrations.events;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

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
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new WebhookSettings(5,
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofHours(72), Duration.ofDays(30),
                List.of(Duration.ofSeconds(5)), 32, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMillis(500),
                List.of(), Duration.ofMinutes(10), Duration.ofDays(90), Duration.ofDays(7), 60, 5));
        assertEquals("housekeeping-interval must be at least 1s", refused.getMessage());
    }
}
