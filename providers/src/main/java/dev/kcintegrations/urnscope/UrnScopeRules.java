package dev.kcintegrations.urnscope;

import dev.kcintegrations.shared.UrnScopes;
import org.keycloak.models.RealmModel;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules for a request that names URN scopes: every URN scope is declared in this realm, its audience
 * carries the realm's environment name, all belong to one audience, and an RFC 8707 {@code resource}
 * names that same audience. Requests without URN scopes are not this class's business.
 */
public final class UrnScopeRules {

    /** Either the one audience of the request (empty when it names no URN scope) or the violation. */
    public record Verdict(Optional<String> audience, UrnScopeViolation violation) {
        static Verdict ok(Optional<String> audience) {
            return new Verdict(audience, null);
        }

        static Verdict refused(UrnScopeViolation violation) {
            return new Verdict(Optional.empty(), violation);
        }

        public boolean refused() {
            return violation != null;
        }
    }

    private UrnScopeRules() {
    }

    /**
     * A refresh may only narrow (RFC 6749 §6): every URN scope it names must have been granted already.
     * Keycloak itself drops such a scope silently; a URN client is told.
     */
    static Verdict checkRefresh(RealmModel realm, String scopeParameter, Collection<String> resources, String grantedScope) {
        List<String> granted = UrnScopes.split(grantedScope);
        for (String urn : UrnScopes.split(scopeParameter).stream().filter(UrnScopes::isUrn).toList()) {
            if (!granted.contains(urn)) {
                return Verdict.refused(UrnScopeViolation.invalidScope("A refresh cannot add a scope that was not granted: " + urn));
            }
        }
        return check(realm, scopeParameter, resources);
    }

    /** Beside the account scope IDCS allows {@code offline_access} only (Oracle: "Accessing All Resources"). */
    private static boolean excludedBesideAccountScope(String scope) {
        return !scope.equals(UrnScopes.ACCOUNT_SCOPE) && !scope.equals("offline_access");
    }

    public static Verdict check(RealmModel realm, String scopeParameter, Collection<String> resources) {
        List<String> urns = UrnScopes.split(scopeParameter).stream().filter(UrnScopes::isUrn).toList();
        if (urns.isEmpty()) {
            return Verdict.ok(Optional.empty());
        }
        if (urns.contains(UrnScopes.ACCOUNT_SCOPE) && UrnScopes.split(scopeParameter).stream().anyMatch(UrnScopeRules::excludedBesideAccountScope)) {
            return Verdict.refused(UrnScopeViolation.invalidScope(UrnScopes.ACCOUNT_SCOPE + " must be requested alone"));
        }
        String environment = DeclaredResources.environmentName(realm);
        Set<String> audiences = new LinkedHashSet<>();
        for (String urn : urns) {
            Optional<String> audience = DeclaredResources.audienceOf(realm, urn);
            if (audience.isEmpty()) {
                return Verdict.refused(UrnScopeViolation.invalidScope("Unknown URN scope: " + urn));
            }
            // The account resource is the identity domain's own, one for every environment (IDCS).
            if (!UrnScopes.ACCOUNT_AUDIENCE.equals(audience.get()) && !UrnScopes.namesEnvironment(audience.get(), environment)) {
                return Verdict.refused(UrnScopeViolation.invalidScope("Scope " + urn + " is not for environment '"
                        + (environment == null ? "" : environment) + "'"));
            }
            audiences.add(audience.get());
        }
        if (audiences.size() > 1) {
            return Verdict.refused(UrnScopeViolation.invalidScope(
                    "Scopes of different audiences cannot be mixed in one request: " + String.join(", ", audiences)));
        }
        String audience = audiences.iterator().next();
        Set<String> targets = new LinkedHashSet<>(resources);
        if (!targets.isEmpty() && !(targets.size() == 1 && targets.contains(audience))) {
            return Verdict.refused(UrnScopeViolation.invalidTarget(
                    "The resource parameter must name the audience of the requested scopes: " + audience));
        }
        return Verdict.ok(Optional.of(audience));
    }
}
