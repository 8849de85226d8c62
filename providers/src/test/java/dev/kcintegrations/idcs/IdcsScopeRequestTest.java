package dev.kcintegrations.idcs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IDCS's scope vocabulary put in Keycloak's terms, without a server. */
class IdcsScopeRequestTest {

    private static final String FS = "urn:opc:resource:fusion:demo01:field-service-common";
    private static final String ACCOUNT = "urn:opc:resource:scope:account";
    /** The demo's scopes: the Fusion one is the audience glued to its suffix, as Oracle spells Fusion scopes. */
    private static final List<IdcsScopeRequest.AllowedScope> SCOPES = List.of(
            new IdcsScopeRequest.AllowedScope(FS + "/use", FS, Set.of()),
            new IdcsScopeRequest.AllowedScope(FS + "/setup", FS, Set.of("admin")),
            new IdcsScopeRequest.AllowedScope("urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all", "urn:opc:resource:faaas:fa:demo01", Set.of()),
            new IdcsScopeRequest.AllowedScope("urn:opc:resource:consumer::all", ACCOUNT, Set.of()),
            new IdcsScopeRequest.AllowedScope("urn:opc:resource:consumer:paas::read", ACCOUNT, Set.of()));

    /** The demo client's scopes, the client holding role {@code admin}. */
    private static IdcsScopeRequest.Grantable subjectWith() {
        return new IdcsScopeRequest.Grantable(SCOPES, role -> role.equals("admin"));
    }

    private static IdcsScopeRequest.Translation translate(String scope, IdcsScopeRequest.Grantable grantable, String... resources) {
        return IdcsScopeRequest.translate("idcs-client", scope, grantable, List.of(resources));
    }

    @Test
    void expiryLeavesTheScopeAndCapsTheLifetime() {
        IdcsScopeRequest.Translation t = translate("urn:opc:resource:expiry=60 " + FS + "/use", subjectWith());
        assertEquals(FS + "/use", t.scope());
        assertEquals(OptionalInt.of(60), t.expiry());
        assertEquals(OptionalInt.of(31_556_952), translate("urn:opc:resource:expiry=31556952", subjectWith()).expiry());
    }

    @Test
    void expiryOutsideSixtySecondsToAYearOrNotDigitsIsRefused() {
        for (String bad : List.of("59", "31556953", "-60", "+60", "6e1", "", "60.0", "99999999999")) {
            assertThrows(IdcsScopeRequest.Refused.class, () -> translate("urn:opc:resource:expiry=" + bad, subjectWith()), bad);
        }
    }

    @Test
    void myScopesAreTheClientsUrnScopesOutsideTheAccountResourceRoleBoundOnesIncluded() {
        // Keycloak drops a role-bound scope for a user without the role, once it has verified the user.
        assertEquals(FS + "/use " + FS + "/setup urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all",
                translate(IdcsScopeRequest.MY_SCOPES, subjectWith()).scope());
    }

    @Test
    void aResourceParameterNarrowsMyScopesToItsAudience() {
        assertEquals(FS + "/use " + FS + "/setup", translate(IdcsScopeRequest.MY_SCOPES, subjectWith(), FS).scope());
        assertThrows(IdcsScopeRequest.Refused.class, () -> translate(IdcsScopeRequest.MY_SCOPES, subjectWith(), "urn:elsewhere"));
    }

    @Test
    void aRoleGivesItsScopesOnlyWhenTheClientHoldsIt() {
        assertEquals(FS + "/setup", translate("urn:opc:idm:role.admin", subjectWith()).scope());
        assertThrows(IdcsScopeRequest.Refused.class, () -> translate("urn:opc:idm:role.other", subjectWith()));
        assertThrows(IdcsScopeRequest.Refused.class, () -> translate("urn:opc:idm:role.", subjectWith()));
    }

    @Test
    void aRoleTheClientHoldsThatMapsNoScopeIsRefused() {
        IdcsScopeRequest.Grantable holdsAll = new IdcsScopeRequest.Grantable(SCOPES, role -> true);
        assertThrows(IdcsScopeRequest.Refused.class, () -> translate("urn:opc:idm:role.other", holdsAll));
    }

    @Test
    void aRoleNameEncodedTwiceAsIdcsAsksIsDecoded() {
        IdcsScopeRequest.Grantable spaced = new IdcsScopeRequest.Grantable(
                List.of(new IdcsScopeRequest.AllowedScope(FS + "/setup", FS, Set.of("User Administrator"))),
                "User Administrator"::equals);
        assertEquals(FS + "/setup", translate("urn:opc:idm:role.User%20Administrator", spaced).scope());
    }

    @Test
    void aHierarchicalConsumerScopeIsGrantedAsTheAllowedOneAndNamedAsAsked() {
        IdcsScopeRequest.Translation t = translate("urn:opc:resource:consumer:paas:analytics::read", subjectWith());
        assertEquals("urn:opc:resource:consumer:paas::read", t.scope());
        assertEquals(Map.of("urn:opc:resource:consumer:paas::read", List.of("urn:opc:resource:consumer:paas:analytics::read")), t.renamed());
        assertTrue(t.needsClaimsMapper());
        assertEquals("idcs-client", t.clientId());
    }

    @Test
    void everyNameAskedThroughOneAllowedScopeIsKept() {
        assertEquals(Map.of("urn:opc:resource:consumer:paas::read", List.of("urn:opc:resource:consumer:paas:a::read",
                "urn:opc:resource:consumer:paas:b::read")),
                translate("urn:opc:resource:consumer:paas:a::read urn:opc:resource:consumer:paas:b::read", subjectWith()).renamed());
        assertEquals(Map.of("urn:opc:resource:consumer:paas::read", List.of("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas:x::read")),
                translate("urn:opc:resource:consumer:paas::read urn:opc:resource:consumer:paas:x::read", subjectWith()).renamed());
    }

    @Test
    void aConsumerScopeNotCoveredIsRefusedWithWhy() {
        for (String asked : List.of("urn:opc:resource:consumer:paas::write", "urn:opc:resource:consumer:paas:analytics::write",
                "urn:opc:resource:consumer:paasx::read", "urn:opc:resource:consumer:iaas::read",
                "urn:opc:resource:consumer:paas::admin::read", "urn:opc:resource:consumer:paas:::read")) {
            IdcsScopeRequest.Refused refused = assertThrows(IdcsScopeRequest.Refused.class, () -> translate(asked, subjectWith()), asked);
            assertTrue(refused.getMessage().contains("directly or hierarchically") || refused.getMessage().contains("is not a consumer scope"),
                    refused.getMessage());
        }
    }

    @Test
    void everythingElsePassesAsSentForKeycloakAndTheUrnRulesToJudge() {
        IdcsScopeRequest.Translation t = translate("openid urn:opc:resource:consumer::all " + FS + "/view", subjectWith());
        assertEquals("openid urn:opc:resource:consumer::all " + FS + "/view", t.scope());
        assertTrue(t.renamed().isEmpty());
        assertTrue(t.expiry().isEmpty());
        assertTrue(!t.needsClaimsMapper());
    }
}
