package dev.kcintegrations.events.api;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every path of events/v4 reaches its route; anything else is a 404 that echoes no raw input. */
class RouteTest {

    private static Route route(String path) {
        return Route.match(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
    }

    @Test
    void everyTemplateMatchesItsOwnRoute() {
        for (Route route : Route.values()) {
            String path = route.template().replace("{topic}", "public.test").replace("{id}", "my.sub").replace("{deliveryId}", "d1");
            assertEquals(route, route(path), path);
        }
    }

    @Test
    void webhookIsThePutPathNotASubscriptionId() {
        assertEquals(Route.WEBHOOK, route("v4/subscriptions/webhook"));
        assertEquals(List.of("PUT"), Route.WEBHOOK.methods());
        assertEquals(Route.SUBSCRIPTION, route("v4/subscriptions/webhooks"));
    }

    @Test
    void unknownPathsAre404sWithoutTheRawInput() {
        for (String path : List.of("", "v3/topics", "v4", "v4/catalog/x", "v4/topics/x", "v4/topics/x/events/y", "v4/subscriptions/a/b",
                "v4/subscriptions/a/deliveries/d", "v4/subscriptions/a/secret/rotate/now")) {
            ApiFailure failure = assertThrows(ApiFailure.class, () -> route(path), path);
            assertEquals(404, failure.status, path);
        }
        ApiFailure hostile = assertThrows(ApiFailure.class, () -> route("v4/<script>"));
        assertEquals(false, hostile.getMessage().contains("<script>"), hostile.getMessage());
    }
}
