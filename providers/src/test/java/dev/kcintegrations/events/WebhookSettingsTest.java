package dev.kcintegrations.events;

import org.junit.jupiter.api.Test;

import java.time.Duration;

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
}
