package dev.kcintegrations.shared;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrnScopesTest {

    @Test
    void scopeParameterSplitsOnSpacesIgnoringRepeatsAndEmptyParts() {
        assertEquals(List.of("openid", "urn:a/use"), UrnScopes.split("  openid  urn:a/use openid "));
        assertEquals(List.of(), UrnScopes.split(null));
        assertEquals(List.of(), UrnScopes.split("   "));
    }

    @Test
    void urnScopesStartWithUrn() {
        assertTrue(UrnScopes.isUrn("urn:opc:resource:fusion:demo01:field-service-common/use"));
        assertTrue(UrnScopes.isUrn("URN:x"));
        assertFalse(UrnScopes.isUrn("openid"));
        assertFalse(UrnScopes.isUrn("callout.invoke"));
    }

    @Test
    void anAudienceNamesItsEnvironmentAsAWholeSegment() {
        assertTrue(UrnScopes.namesEnvironment("urn:opc:resource:fusion:demo01:field-service-common", "demo01"));
        assertTrue(UrnScopes.namesEnvironment("urn:opc:resource:faaas:fa:demo01", "demo01"));
        assertFalse(UrnScopes.namesEnvironment("urn:opc:resource:fusion:demo011:field-service-common", "demo01"));
        assertFalse(UrnScopes.namesEnvironment("urn:opc:resource:fusion:test99:field-service-common", "demo01"));
    }

    @Test
    void noEnvironmentNameMatchesNothing() {
        assertFalse(UrnScopes.namesEnvironment("urn:opc:resource:faaas:fa:demo01", null));
        assertFalse(UrnScopes.namesEnvironment("urn:opc:resource:faaas:fa:demo01", ""));
    }

    @Test
    void consumerScopesHaveAPathAndAPermission() {
        assertTrue(UrnScopes.isConsumerScope("urn:opc:resource:consumer::all"));
        assertTrue(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas::read"));
        assertTrue(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas:analytics::read"));
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas"));
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas::"));
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:faaas:fa:demo01urn:opc:resource:consumer::all"));
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas::admin::read"), "one :: only");
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:paas:::read"), "no empty segment");
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:::all"), "no empty segment");
        assertFalse(UrnScopes.isConsumerScope("urn:opc:resource:consumer:pa as::read"));
    }

    @Test
    void anAllowedScopeCoversItsSubPathsWithTheSamePermission() {
        assertTrue(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas::read"));
        assertTrue(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas:analytics::read"));
        assertTrue(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas:analytics:x::read"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas::write"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas:analytics::write"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paasx::read"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas:analytics::read", "urn:opc:resource:consumer:paas::read"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas::admin::read"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer:paas::read", "urn:opc:resource:consumer:paas::write::read"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer::all", "urn:opc:resource:consumer:::all"));
    }

    @Test
    void theAccountScopeCoversOnlyItself() {
        assertTrue(UrnScopes.covers("urn:opc:resource:consumer::all", "urn:opc:resource:consumer::all"));
        assertFalse(UrnScopes.covers("urn:opc:resource:consumer::all", "urn:opc:resource:consumer:paas::all"));
    }
}
