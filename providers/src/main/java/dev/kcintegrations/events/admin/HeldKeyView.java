package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.PendingDelivery;

import java.time.Instant;

/**
 * An order key held by a failing event: the event waits for its retry at {@code nextAttemptAt}, and the key's
 * later events wait behind it; every other key keeps flowing. Times are RFC 3339 UTC.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record HeldKeyView(String key, String deliveryId, String eventId, String eventType, int attempts, String nextAttemptAt,
                   Integer lastHttpStatus, String lastError) {

    static HeldKeyView of(DeliveryEntity row) {
        return new HeldKeyView(row.getOrderKey() == null ? PendingDelivery.NO_ORDER_KEY : row.getOrderKey(), row.getId(), row.getEventId(),
                row.getEventType(), row.getAttempts(), Instant.ofEpochMilli(row.getNextAttemptAt()).toString(), row.getLastHttpStatus(),
                row.getLastError());
    }
}
