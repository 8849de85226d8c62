package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.config.Correlation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The headers of every delivery: Standard Webhooks' three, the correlation id and the Concur-Signature. */
public final class DeliveryHeaders {

    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    /** Carries the realm-issued bearer token of a subscription with {@code webHookConfig.auth} (BearerTokens). */
    public static final String AUTHORIZATION = "Authorization";

    private DeliveryHeaders() {
    }

    public static Map<String, String> of(List<String> secrets, String eventId, String correlationId, byte[] body,
                                         String concurSignature) {
        long timestamp = System.currentTimeMillis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID, eventId);
        headers.put(TIMESTAMP, Long.toString(timestamp));
        headers.put(SIGNATURE, StandardWebhookSignature.header(secrets, eventId, timestamp, body));
        headers.put(Correlation.HEADER, correlationId);
        headers.put(ConcurSignature.HEADER, concurSignature);
        return headers;
    }
}
