package dev.kcintegrations.idcs;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A client that speaks to Keycloak as it would to Oracle IDCS. It opts in with the client attribute
 * {@value #ENABLED} (as callout clients opt in); everything else about it is ordinary Keycloak configuration:
 * its certificate on the Keys tab, its scopes, and for user assertions Keycloak's own "JWT Authorization Grant"
 * switch.
 */
public final class IdcsClient {

    public static final String ENABLED = "idcs.compat.enabled";
    /**
     * What a user assertion's {@code sub} is matched against: unset or {@code username} (what IDCS sends),
     * {@code email}, or the name of a user attribute (declared in the realm's user profile, as Keycloak wants),
     * for when the IDCS user name lives elsewhere, e.g. in an {@code idcsUserName} attribute.
     */
    public static final String ASSERTION_USER_ATTRIBUTE = "idcs.assertion.user-attribute";

    /**
     * How long, in seconds, a user assertion of this client may live ({@code exp - iat}); unset means
     * {@value #DEFAULT_ASSERTION_LIFETIME}. An assertion is a one-off, signed for one request.
     */
    public static final String ASSERTION_MAX_LIFETIME = "idcs.assertion.max-lifetime";
    static final int DEFAULT_ASSERTION_LIFETIME = 600;
    static final int LONGEST_ASSERTION_LIFETIME = 3600;

    private IdcsClient() {
    }

    public static boolean isEnabled(ClientModel client) {
        return client != null && Boolean.parseBoolean(client.getAttribute(ENABLED));
    }

    /** The client's bound on assertion lifetimes; a value that is not a number of seconds up to an hour is refused. */
    static int assertionMaxLifetime(ClientModel client) {
        String value = client.getAttribute(ASSERTION_MAX_LIFETIME);
        if (value == null || value.isBlank()) {
            return DEFAULT_ASSERTION_LIFETIME;
        }
        try {
            int seconds = Integer.parseInt(value.strip());
            if (seconds >= 1 && seconds <= LONGEST_ASSERTION_LIFETIME) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalStateException("Client attribute " + ASSERTION_MAX_LIFETIME + " must be 1 to "
                + LONGEST_ASSERTION_LIFETIME + " seconds");
    }

    /**
     * Whether the client's access tokens pass through {@link IdcsTokenClaimsMapper}, on the client itself or on one
     * of its default client scopes: without it a lifetime cap or a hierarchical scope could not be honoured.
     */
    static boolean hasClaimsMapper(ClientModel client) {
        return Stream.concat(client.getProtocolMappersStream(),
                        client.getClientScopes(true).values().stream().flatMap(ClientScopeModel::getProtocolMappersStream))
                .anyMatch(mapper -> IdcsTokenClaimsMapper.PROVIDER_ID.equals(mapper.getProtocolMapper()));
    }

    /**
     * The user a user assertion names: by username, or by the attribute the client chose, exactly one match.
     * Empty when no user (or more than one) matches; the caller says so.
     */
    static Optional<UserModel> assertedUser(KeycloakSession session, RealmModel realm, ClientModel client, String subject) {
        if (subject == null || subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty(); // no stored name holds one, and some databases refuse to compare with one
        }
        String attribute = client.getAttribute(ASSERTION_USER_ATTRIBUTE);
        if (attribute == null || attribute.isBlank() || attribute.equals("username")) {
            return Optional.ofNullable(session.users().getUserByUsername(realm, subject));
        }
        if (attribute.strip().equals("email")) {
            return realm.isDuplicateEmailsAllowed() ? Optional.empty()
                    : Optional.ofNullable(session.users().getUserByEmail(realm, subject));
        }
        List<UserModel> matches = session.users().searchForUserByUserAttributeStream(realm, attribute.strip(), subject)
                .limit(2).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }
}
