package dev.kcintegrations.idcs;

import dev.kcintegrations.shared.UrnScopes;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * IDCS's scope vocabulary in Keycloak's terms (Oracle: "Scopes", "Custom Token Expiry", "Accessing All
 * Resources"). A request's scope parameter becomes the client scopes Keycloak grants, and what the token
 * should say about it:
 * <ul>
 *   <li>{@code urn:opc:resource:expiry=<seconds>} (60–31556952) is no scope: it leaves the request and caps
 *       the access token's lifetime;</li>
 *   <li>{@code urn:opc:idm:__myscopes__} becomes every URN scope of the client (outside the account resource);</li>
 *   <li>{@code urn:opc:idm:role.<name>} becomes the client's URN scopes of one role the client holds;</li>
 *   <li>a consumer scope the client is allowed only hierarchically is granted as the allowed scope and named
 *       in the token as requested.</li>
 * </ul>
 * The rest passes unchanged, to Keycloak and to the URN scope rules (one audience, the account scope alone).
 * Which of them the token's subject may have is Keycloak's to decide once it has verified that subject: a client
 * scope that maps roles (its Scope tab) is dropped for a user holding none of them, as IDCS drops a role's scopes
 * for a user without the role. Nothing here depends on who the request says the user is.
 */
final class IdcsScopeRequest {

    static final String EXPIRY_PREFIX = "urn:opc:resource:expiry=";
    static final String MY_SCOPES = "urn:opc:idm:__myscopes__";
    static final String ROLE_PREFIX = "urn:opc:idm:role.";
    private static final String CONSUMER = "urn:opc:resource:consumer:";
    static final int MIN_EXPIRY = 60;
    /** One year of 365.2425 days, IDCS's upper bound for token lifetimes. */
    static final int MAX_EXPIRY = 31_556_952;

    /** A URN client scope the client may request: its audience and the roles its Scope tab maps. */
    record AllowedScope(String name, String audience, Set<String> roles) {
    }

    /** What the client may have, and which roles it holds. */
    record Grantable(Collection<AllowedScope> scopes, Predicate<String> clientHasRole) {
    }

    /**
     * What became of one request's scope, for the client it named. Kept in the Keycloak session until the
     * client has authenticated: {@link ScopeOutcomes} refuses then, {@link IdcsTokenClaimsMapper} applies.
     */
    sealed interface Outcome permits Translation, Refusal {
        String clientId();
    }

    /**
     * @param scope      the scope parameter for Keycloak
     * @param renamed    client scope name → the names the token's {@code scope} claim carries instead
     * @param expiry     the requested lifetime cap, if any
     */
    record Translation(String clientId, String scope, Map<String, List<String>> renamed, OptionalInt expiry) implements Outcome {
        /** Whether the token must be changed after Keycloak made it: only {@link IdcsTokenClaimsMapper} can. */
        boolean needsClaimsMapper() {
            return expiry.isPresent() || !renamed.isEmpty();
        }
    }

    /** Why the request cannot be answered as IDCS would; said only once the client has authenticated. */
    record Refusal(String clientId, String description) implements Outcome {
    }

    static final class Refused extends RuntimeException {
        Refused(String description) {
            super(description, null, false, false);
        }
    }

    private IdcsScopeRequest() {
    }

    static Translation translate(String clientId, String scopeParameter, Grantable grantable, List<String> resources) {
        Set<String> scopes = new LinkedHashSet<>();
        Map<String, List<String>> renamed = new LinkedHashMap<>();
        OptionalInt expiry = OptionalInt.empty();
        for (String requested : UrnScopes.split(scopeParameter)) {
            if (requested.startsWith(EXPIRY_PREFIX)) {
                if (expiry.isPresent()) {
                    throw new Refused("urn:opc:resource:expiry may be requested once");
                }
                expiry = OptionalInt.of(expiry(requested.substring(EXPIRY_PREFIX.length())));
            } else if (requested.equals(MY_SCOPES)) {
                List<String> mine = grantable.scopes().stream()
                        .filter(s -> !UrnScopes.ACCOUNT_AUDIENCE.equals(s.audience()))
                        .filter(s -> resources.isEmpty() || resources.contains(s.audience()))
                        .map(AllowedScope::name).toList();
                if (mine.isEmpty()) {
                    throw new Refused(MY_SCOPES + ": this client has no URN scope" + (resources.isEmpty() ? "" : " of " + resources));
                }
                scopes.addAll(mine);
            } else if (requested.startsWith(ROLE_PREFIX)) {
                scopes.addAll(scopesOfRole(roleName(requested), grantable));
            } else if (requested.startsWith(CONSUMER) && !UrnScopes.isConsumerScope(requested)) {
                throw new Refused("Scope " + requested + " is not a consumer scope (urn:opc:resource:consumer:<path>::<permission>)");
            } else if (UrnScopes.isConsumerScope(requested) && !allowed(grantable, requested)) {
                AllowedScope covering = grantable.scopes().stream()
                        .filter(s -> UrnScopes.covers(s.name(), requested))
                        .findFirst()
                        .orElseThrow(() -> new Refused("Scope " + requested
                                + " is not allowed to this client, directly or hierarchically"));
                scopes.add(covering.name());
                renamed.computeIfAbsent(covering.name(), name -> new ArrayList<>()).add(requested);
            } else {
                scopes.add(requested);
            }
        }
        // A scope asked for itself as well as through a narrower name keeps its own name too.
        renamed.forEach((allowed, names) -> {
            if (UrnScopes.split(scopeParameter).contains(allowed)) {
                names.add(0, allowed);
            }
        });
        return new Translation(clientId, String.join(" ", scopes), renamed, expiry);
    }

    private static int expiry(String seconds) {
        int value;
        try {
            value = Integer.parseInt(seconds);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < MIN_EXPIRY || value > MAX_EXPIRY || !seconds.matches("[0-9]+")) {
            throw new Refused("urn:opc:resource:expiry must be a whole number of seconds from " + MIN_EXPIRY
                    + " to " + MAX_EXPIRY);
        }
        return value;
    }

    /** IDCS has role names with spaces sent encoded twice ({@code User%2520Administrator}); the form decoded once. */
    private static String roleName(String requested) {
        String name = requested.substring(ROLE_PREFIX.length());
        try {
            name = URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            // taken as sent
        }
        if (name.isBlank()) {
            throw new Refused(ROLE_PREFIX + " needs a role name");
        }
        return name;
    }

    private static List<String> scopesOfRole(String role, Grantable grantable) {
        if (!grantable.clientHasRole().test(role)) {
            throw new Refused("Role " + role + " is not granted to this client");
        }
        List<String> scopes = grantable.scopes().stream().filter(s -> s.roles().contains(role)).map(AllowedScope::name).toList();
        if (scopes.isEmpty()) {
            throw new Refused("Role " + role + " maps no scope of this client");
        }
        return new ArrayList<>(scopes);
    }

    private static boolean allowed(Grantable grantable, String name) {
        return grantable.scopes().stream().anyMatch(s -> s.name().equals(name));
    }
}
