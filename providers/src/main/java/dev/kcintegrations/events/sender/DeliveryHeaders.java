package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.config.Correlation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The headers of every delivery: Standard Webhooks' three, the correlation id and the Concur-Signature. */
public final class DeliveryHeaders {

    private DeliveryHeaders() {
    }

    public static Map<String, String> of(List<String> secrets, String eventId, String correlationId, byte[] body,
                                         String concurSignature) {
        long timestamp = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", eventId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", StandardWebhookSignature.header(secrets, eventId, timestamp, body));
        headers.put(Correlation.HEADER, correlationId);
        headers.put(ConcurSignature.HEADER, concurSignature);
        return headers;
    }
}
