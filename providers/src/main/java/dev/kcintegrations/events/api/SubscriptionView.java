package dev.kcintegrations.events.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.lifecycle.Subscription;

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
     * @param auth        absent: no bearer token
     */
    @JsonPropertyOrder({"endpoint", "format", "ordering", "maxInFlight", "batch", "auth"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WebHookConfig(String endpoint, String format, String ordering, Integer maxInFlight, Batching batch, Auth auth) {
    }

    /** {@code webHookConfig.auth} as it was saved (it may be sent back as read). */
    @JsonPropertyOrder({"type", "audience", "scope"})
    record Auth(String type, String audience, String scope) {
        static Auth of(BearerAuth auth) {
            return auth == null ? null : new Auth(BearerAuth.TYPE, auth.audience(), auth.scope());
        }
    }

    static SubscriptionView of(Subscription subscription, WebhookSettings settings) {
        DeliveryOrdering ordering = DeliveryOrdering.stored(subscription.ordering());
        int maxInFlight = ordering == DeliveryOrdering.SUBSCRIPTION ? 1
                : Math.min(settings.maxInFlight(), subscription.maxInFlight() == null ? settings.defaultMaxInFlight() : subscription.maxInFlight());
        return new SubscriptionView(subscription.name(), subscription.topic(), subscription.filter(),
                new WebHookConfig(subscription.endpoint(), BodyFormat.stored(subscription.format()).id(), ordering.id(), maxInFlight, subscription.batch(),
                        Auth.of(subscription.auth())),
                subscription.applicationId(), "", List.of(), List.of());
    }
}
