package dev.kcintegrations.events.api;

import dev.kcintegrations.events.config.Batching;
import dev.kcintegrations.events.config.BearerAuth;
import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.DeliveryOrdering;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The body of PUT subscriptions/webhook: what is accepted, and the 400 message for what is not. */
class SubscriptionRequestTest {

    private static SubscriptionRequest parse(String json) {
        return SubscriptionRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String json) {
        ApiFailure failure = assertThrows(ApiFailure.class, () -> parse(json), json);
        assertEquals(400, failure.status, json);
        return failure.getMessage();
    }

    @Test
    void theVendorsExampleIsAccepted() {
        SubscriptionRequest request = parse("{\"id\":\"my-company.logins.v1\",\"filter\":\"LOGIN|LOGOUT\",\"topic\":\"keycloak.user\","
                + "\"webHookConfig\":{\"endpoint\":\" https://receiver.example.com/hooks \"},\"applicationId\":\"copied\",\"scope\":\"\","
                + "\"groups\":[],\"companyIds\":[]}");
        assertEquals("my-company.logins.v1", request.id());
        assertEquals("LOGIN|LOGOUT", request.filter().source());
        assertEquals("keycloak.user", request.topic());
        assertEquals("https://receiver.example.com/hooks", request.endpoint());
        assertEquals(BodyFormat.ESS, request.format(), "no format: the source service's body");
        assertEquals(null, request.ordering(), "no ordering: a new subscription's default, an existing one's own");
        assertEquals(null, request.maxInFlight());
    }

    @Test
    void aFieldThisVersionDoesNotKnowIsRefusedNotIgnored() {
        // A client that asks for a setting this server does not have must learn it, not find out from its receiver.
        assertEquals("unknown field 'status' (fields: id, topic, filter, webHookConfig; applicationId, scope, groups and companyIds"
                        + " are read-only and may be sent back as read)",
                refusal("{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\"},"
                        + "\"status\":\"ACTIVE\"}"));
        assertEquals("unknown field 'webHookConfig.orderBy' (fields: endpoint, format, ordering, maxInFlight, batch, auth)",
                refusal("{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\","
                        + "\"orderBy\":\"user\"}}"));
    }

    @Test
    void aBearerSettingNamesItsTypeAudienceAndScopesAndNullEndsIt() {
        String head = "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\"";
        assertEquals(Optional.of(new BearerAuth("urn:example:orders", "orders.receiver basic")),
                parse(head + ",\"auth\":{\"type\":\"bearer\",\"audience\":\"urn:example:orders\",\"scope\":\"orders.receiver basic\"}}}").auth());
        assertEquals(Optional.empty(), parse(head + ",\"auth\":null}}").auth(), "null: no bearer");
        assertEquals(null, parse(head + "}}").auth(), "absent: kept");
        assertEquals("webHookConfig.auth.type must be \"bearer\"",
                refusal(head + ",\"auth\":{\"type\":\"mtls\",\"audience\":\"a\",\"scope\":\"s\"}}}"));
        assertEquals("unknown field 'webHookConfig.auth.token' (fields: type, audience, scope)",
                refusal(head + ",\"auth\":{\"type\":\"bearer\",\"token\":\"x\"}}}"));
        assertTrue(refusal(head + ",\"auth\":{\"type\":\"bearer\",\"audience\":\"two words\",\"scope\":\"s\"}}}")
                .startsWith("webHookConfig.auth.audience must be"));
        assertTrue(refusal(head + ",\"auth\":{\"type\":\"bearer\",\"audience\":\"a\"}}}").startsWith("webHookConfig.auth.scope must"));
        assertTrue(refusal(head + ",\"auth\":{\"type\":\"bearer\",\"audience\":\"a\",\"scope\":\"s  t\"}}}")
                .startsWith("webHookConfig.auth.scope must"), "one space between scopes");
        assertTrue(refusal(head + ",\"auth\":{\"type\":\"bearer\",\"audience\":\"a\",\"scope\":\"" + "s ".repeat(10) + "s\"}}}")
                .startsWith("webHookConfig.auth.scope must"), "at most ten scopes");
        assertEquals("webHookConfig.auth must be an object {type, audience, scope} or null", refusal(head + ",\"auth\":\"bearer\"}}"));
    }

    @Test
    void batchesAreForCloudEventsUpToAHundredAndNullEndsThem() {
        String head = "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\"";
        String ce = head + ",\"format\":\"cloudevents\"";
        assertEquals(Optional.of(new Batching(100, 250)), parse(ce + ",\"batch\":{\"maxEvents\":100,\"maxWaitMs\":250}}}").batch());
        assertEquals(Optional.of(new Batching(10, 1000)), parse(ce + ",\"batch\":{\"maxEvents\":10}}}").batch(), "maxWaitMs: 1 s");
        assertEquals(Optional.empty(), parse(ce + ",\"batch\":null}}").batch(), "null: no batches");
        assertEquals(null, parse(ce + "}}").batch(), "absent: a new subscription has none, an existing one keeps its own");
        assertEquals("webHookConfig.batch needs format cloudevents (a batch is a JSON array of CloudEvents)",
                refusal(head + ",\"batch\":{\"maxEvents\":10}}}"));
        assertEquals("webHookConfig.batch.maxEvents must be a whole number from 1 to 100", refusal(ce + ",\"batch\":{\"maxEvents\":101}}}"));
        assertEquals("webHookConfig.batch.maxEvents is required", refusal(ce + ",\"batch\":{\"maxWaitMs\":10}}}"));
        assertEquals("webHookConfig.batch.maxWaitMs must be a whole number from 0 to 10000",
                refusal(ce + ",\"batch\":{\"maxEvents\":5,\"maxWaitMs\":10001}}}"));
        assertEquals("unknown field 'webHookConfig.batch.size' (fields: maxEvents, maxWaitMs)", refusal(ce + ",\"batch\":{\"size\":5}}}"));
        assertEquals("webHookConfig.batch must be an object {maxEvents, maxWaitMs} or null", refusal(ce + ",\"batch\":5}}"));
    }

    @Test
    void theOrderingIsSubjectOrSubscriptionAndMaxInFlightOneToSixtyFourForSubjectOnly() {
        String head = "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\"";
        assertEquals(DeliveryOrdering.SUBJECT, parse(head + ",\"ordering\":\"subject\"}}").ordering());
        assertEquals(DeliveryOrdering.SUBSCRIPTION, parse(head + ",\"ordering\":\"subscription\"}}").ordering());
        assertEquals(32, parse(head + ",\"ordering\":\"subject\",\"maxInFlight\":32}}").maxInFlight());
        assertEquals(1, parse(head + ",\"maxInFlight\":1}}").maxInFlight());
        assertEquals(64, parse(head + ",\"maxInFlight\":64}}").maxInFlight());
        for (String refused : new String[]{"\"Subject\"", "\"user\"", "1", "[]"}) {
            assertEquals("webHookConfig.ordering must be one of subject, subscription", refusal(head + ",\"ordering\":" + refused + "}}"), refused);
        }
        for (String refused : new String[]{"0", "65", "-1", "1.5", "\"16\"", "1e2"}) {
            assertEquals("webHookConfig.maxInFlight must be a whole number from 1 to 64", refusal(head + ",\"maxInFlight\":" + refused + "}}"), refused);
        }
        assertEquals("webHookConfig.maxInFlight applies only to ordering subject (subscription keeps one POST in flight)",
                refusal(head + ",\"ordering\":\"subscription\",\"maxInFlight\":4}}"));
        assertEquals(1, parse(head + ",\"ordering\":\"subscription\",\"maxInFlight\":1}}").maxInFlight(),
                "what a GET shows of a subscription in total order may be sent back");
    }

    @Test
    void theFormatIsEssOrCloudEventsAndNothingElse() {
        String head = "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\",\"format\":";
        assertEquals(BodyFormat.CLOUDEVENTS, parse(head + "\"cloudevents\"}}").format());
        assertEquals(BodyFormat.ESS, parse(head + "\"ess\"}}").format());
        assertEquals(BodyFormat.ESS, parse(head + "null}}").format());
        for (String refused : new String[]{"\"CloudEvents\"", "\"\"", "\"json\"", "1", "[\"ess\"]", "{}"}) {
            assertEquals("webHookConfig.format must be one of ess, cloudevents", refusal(head + refused + "}}"), refused);
        }
    }

    @Test
    void eachBrokenFieldHasItsOwnMessage() {
        String endpoint = ",\"webHookConfig\":{\"endpoint\":\"https://r.example.com\"}";
        Map<String, String> cases = Map.of(
                "[]", "The body must be one JSON object",
                "{\"id\":", "The body must be one JSON object",
                "{\"id\":\"UPPER\",\"filter\":\".*\",\"topic\":\"t\"" + endpoint + "}",
                        "id must be 1-128 characters of a-z, 0-9, '.' and '-', starting with a letter or digit",
                "{\"id\":\"a\",\"topic\":\"t\"" + endpoint + "}", "filter is required",
                "{\"id\":\"a\",\"filter\":7,\"topic\":\"t\"" + endpoint + "}", "filter must be a string",
                "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\" \"" + endpoint + "}", "topic is required",
                "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\"}", "webHookConfig must be an object with an endpoint",
                "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":5}}", "webHookConfig.endpoint must be a URL string",
                "{\"id\":\"a\",\"filter\":\".*\",\"topic\":\"t\",\"webHookConfig\":{\"endpoint\":\"https://x/" + "a".repeat(2048) + "\"}}",
                "webHookConfig.endpoint must be at most 2048 characters");
        cases.forEach((json, message) -> assertEquals(message, refusal(json)));
        assertEquals(true, refusal("{\"id\":\"a\",\"filter\":\"(\",\"topic\":\"t\"" + endpoint + "}").startsWith("filter is not a valid"));
        assertEquals(true, refusal("{\"id\":\"a\",\"filter\":\"a{2}\",\"topic\":\"t\"" + endpoint + "}").startsWith("filter must not use counted"),
                "the field is named once");
    }
}
