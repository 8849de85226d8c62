package dev.kcintegrations.events.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.store.SubscriptionEntity;

import java.util.List;

/**
 * A subscription as the source service shows it. {@code scope} and {@code groups} are reserved there and
 * always empty here; {@code companyIds} is always empty because a Keycloak client has no companies — an
 * application receives the events of the whole realm its topics allow.
 */
@JsonPropertyOrder({"id", "topic", "filter", "webHookConfig", "applicationId", "scope", "groups", "companyIds"})
record SubscriptionView(String id, String topic, String filter, WebHookConfig webHookConfig, String applicationId,
                        String scope, List<String> groups, List<String> companyIds) {

    /**
     * @param format      the body format, {@code ess} or {@code cloudevents}
     * @param ordering    {@code subject} or {@code subscription}
     * @param maxInFlight POSTs on the wire at most (within the server's {@code max-in-flight}); 1 with {@code subscription}
     * @param batch       absent: one event per POST
     */
    @JsonPropertyOrder({"endpoint", "format", "ordering", "maxInFlight", "batch"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WebHookConfig(String endpoint, String format, String ordering, Integer maxInFlight, Batching batch) {
    }

    static SubscriptionView of(SubscriptionEntity entity, WebhookSettings settings) {
        DeliveryOrdering ordering = DeliveryOrdering.stored(entity.getOrdering());
        int maxInFlight = ordering == DeliveryOrdering.SUBSCRIPTION ? 1
                : Math.min(settings.maxInFlight(), entity.getMaxInFlight() == null ? settings.defaultMaxInFlight() : entity.getMaxInFlight());
        return new SubscriptionView(entity.getName(), entity.getTopic(), entity.getFilter(),
                new WebHookConfig(entity.getEndpoint(), BodyFormat.stored(entity.getFormat()).id(), ordering.id(), maxInFlight, entity.getBatch()),
                entity.getApplicationId(), "", List.of(), List.of());
    }
}
