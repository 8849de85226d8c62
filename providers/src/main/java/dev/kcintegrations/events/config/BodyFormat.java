package dev.kcintegrations.events.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a subscription wants its events written: {@code ess} (the source service's body, the default) or
 * {@code cloudevents} (CloudEvents 1.0, HTTP structured mode). Stored by name on the subscription and on each
 * row, so a row already captured is sent as it was written, whatever its subscription chose since.
 */
public enum BodyFormat {

    ESS("application/json; charset=UTF-8"),
    /**
     * Exactly this Content-Type: the CloudEvents SDKs look the structured mode up by the exact string, and
     * {@code charset=UTF-8} (upper case) is refused by the JavaScript one.
     */
    CLOUDEVENTS("application/cloudevents+json; charset=utf-8");

    private final String contentType;

    BodyFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** The name in the API and the database: {@code ess}, {@code cloudevents}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<BodyFormat> parse(String id) {
        return Arrays.stream(values()).filter(format -> format.id().equals(id)).findFirst();
    }

    /** A stored name; none (rows and subscriptions from before formats existed) is {@code ess}. */
    public static BodyFormat stored(String id) {
        return id == null ? ESS : parse(id).orElse(ESS);
    }

    public static String allowed() {
        return String.join(", ", Arrays.stream(values()).map(BodyFormat::id).toList());
    }
}
