package dev.kcintegrations.urnscope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.testing.BrowserLogin;
import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;
import dev.kcintegrations.testing.KeycloakIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.kcintegrations.urnscope.UrnDemo.FA_ALL;
import static dev.kcintegrations.urnscope.UrnDemo.FS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The URN scope rules on every grant that issues tokens, one row per grant: one audience succeeds with the
 * exact {@code aud} and {@code scope}; mixed audiences, an unknown suffix, another environment's audience
 * and a scope the client was not given all fail with {@code invalid_scope}; a request without URN scopes
 * gets no URN audience.
 */
@KeycloakIntegrationTest
class UrnScopeGrantMatrixIT {

    private static final String REDIRECT = "http://127.0.0.1/callback";
    private static final String OTHER_ENVIRONMENT = "urn:opc:resource:fusion:test99:field-service-common";

    /** Declared, for another environment, and given to both demo clients: only the environment rule refuses it. */
    private static TestScopes.Scope otherEnvironment;
    /** Declared for this environment but given to no client. */
    private static TestScopes.Scope notGiven;

    /** What a grant answered: a token's claims, or an OAuth error code. */
    record Outcome(JsonNode claims, String error, String detail) {
        static Outcome of(Http.Reply reply) {
            if (reply.status() == 200) {
                return new Outcome(UrnDemo.claims(reply.json().get("access_token").asText()), null, reply.body());
            }
            return new Outcome(null, reply.json().path("error").asText(), reply.body());
        }
    }

    enum Grant {
        CLIENT_CREDENTIALS {
            Outcome request(Keycloak keycloak, String scope) {
                return Outcome.of(UrnDemo.integration(keycloak, scope));
            }
        },
        OAUTH_COMPAT {
            Outcome request(Keycloak keycloak, String scope) {
                String basic = "Basic " + Base64.getUrlEncoder().encodeToString(
                        (UrnDemo.INTEGRATION + ":" + UrnDemo.INTEGRATION_SECRET).getBytes(StandardCharsets.UTF_8));
                return Outcome.of(Http.post(keycloak.realmUrl(UrnDemo.REALM, "/oauth-compat/token"),
                        Map.of("Authorization", basic, "Content-Type", "application/x-www-form-urlencoded"),
                        UrnDemo.form(UrnDemo.params("grant_type", "client_credentials", "scope", scope))));
            }
        },
        PASSWORD {
            Outcome request(Keycloak keycloak, String scope) {
                return Outcome.of(UrnDemo.password(keycloak, scope));
            }
        },
        AUTHORIZATION_CODE {
            Outcome request(Keycloak keycloak, String scope) {
                BrowserLogin browser = new BrowserLogin();
                BrowserLogin.Step step = browser.authorize(keycloak.realmUrl(UrnDemo.REALM, "/protocol/openid-connect/auth"),
                        UrnDemo.PLUGIN, REDIRECT, scope, Map.of());
                if (step.status() == 302) {
                    return new Outcome(null, step.redirectParameter("error").orElse("no error"), step.location());
                }
                BrowserLogin.Step back = browser.signIn(step, "technician", "technician");
                String code = back.redirectParameter("code").orElseThrow(() -> new AssertionError("no code: " + back.location()));
                return Outcome.of(Http.post(UrnDemo.tokenEndpoint(keycloak), Map.of("Content-Type", "application/x-www-form-urlencoded"),
                        UrnDemo.form(UrnDemo.params("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
                                "client_id", UrnDemo.PLUGIN, "code_verifier", browser.codeVerifier()))));
            }
        },
        TOKEN_EXCHANGE {
            Outcome request(Keycloak keycloak, String scope) {
                String subject = UrnDemo.password(keycloak, "openid").json().get("access_token").asText();
                return Outcome.of(UrnDemo.clientCredentials(keycloak, UrnDemo.INTEGRATION, UrnDemo.INTEGRATION_SECRET,
                        UrnDemo.form(UrnDemo.params("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                                "subject_token", subject, "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                                "scope", scope))));
            }
        };

        abstract Outcome request(Keycloak keycloak, String scope);

        /** User grants ask for openid too, as a plugin does. */
        String scope(String urnScopes) {
            return this == PASSWORD || this == AUTHORIZATION_CODE ? ("openid " + urnScopes).strip() : urnScopes;
        }
    }

    @BeforeAll
    static void declareTestScopes(Keycloak keycloak) {
        otherEnvironment = TestScopes.urnScope(keycloak, OTHER_ENVIRONMENT, "/use");
        notGiven = TestScopes.urnScope(keycloak, FS, "/given-to-nobody");
        for (String client : List.of(UrnDemo.INTEGRATION, UrnDemo.PLUGIN)) {
            String uuid = keycloak.admin().clientUuid(UrnDemo.REALM, client);
            keycloak.admin().put("/" + UrnDemo.REALM + "/clients/" + uuid + "/optional-client-scopes/" + otherEnvironment.id(), null);
        }
    }

    @AfterAll
    static void removeTestScopes(Keycloak keycloak) {
        for (String client : List.of(UrnDemo.INTEGRATION, UrnDemo.PLUGIN)) {
            String uuid = keycloak.admin().clientUuid(UrnDemo.REALM, client);
            keycloak.admin().delete("/" + UrnDemo.REALM + "/clients/" + uuid + "/optional-client-scopes/" + otherEnvironment.id());
        }
        otherEnvironment.close();
        notGiven.close();
    }

    private static void assertInvalidScope(Outcome outcome) {
        assertEquals("invalid_scope", outcome.error(), outcome.detail());
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void oneAudienceGetsExactlyThatAudienceAndScope(Grant grant, Keycloak keycloak) {
        Outcome outcome = grant.request(keycloak, grant.scope(FS + "/use"));
        assertTrue(outcome.claims() != null, outcome.detail());
        assertEquals(List.of(FS), UrnDemo.audiences(outcome.claims()));
        assertTrue(UrnDemo.scopes(outcome.claims()).contains(FS + "/use"), outcome.detail());
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void mixedAudiencesFail(Grant grant, Keycloak keycloak) {
        assertInvalidScope(grant.request(keycloak, grant.scope(FS + "/use " + FA_ALL)));
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void unknownSuffixFails(Grant grant, Keycloak keycloak) {
        assertInvalidScope(grant.request(keycloak, grant.scope(FS + "/nope")));
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void anotherEnvironmentsAudienceFails(Grant grant, Keycloak keycloak) {
        Outcome outcome = grant.request(keycloak, grant.scope(otherEnvironment.name()));
        assertInvalidScope(outcome);
        assertTrue(outcome.detail().contains("demo01"), outcome.detail());
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void scopeNotGivenToTheClientFails(Grant grant, Keycloak keycloak) {
        assertInvalidScope(grant.request(keycloak, grant.scope(notGiven.name())));
    }

    @ParameterizedTest
    @EnumSource(Grant.class)
    void requestWithoutUrnScopesGetsNoUrnAudience(Grant grant, Keycloak keycloak) {
        Outcome outcome = grant.request(keycloak, grant == Grant.PASSWORD || grant == Grant.AUTHORIZATION_CODE ? "openid" : "");
        assertTrue(outcome.claims() != null, outcome.detail());
        assertFalse(UrnDemo.audiences(outcome.claims()).stream().anyMatch(a -> a.startsWith("urn:")), outcome.detail());
    }
}
