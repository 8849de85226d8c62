package dev.kcintegrations.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code exp - iat} is for a token whose expiry Keycloak computed from a lifespan: Keycloak takes
 * {@code iat} from one clock reading and {@code exp} from a later one ({@code TokenManager.initToken}), so a
 * second boundary between the two adds one second (the landing CI once saw 86400 for a lifespan of 86399).
 * Tokens whose {@code exp} our code sets from {@code iat} are exact and are asserted with {@code assertEquals}.
 */
public final class KeycloakLifespan {

    private KeycloakLifespan() {
    }

    public static void assertLifespan(long lifespan, long iat, long exp) {
        long lifetime = exp - iat;
        assertTrue(lifetime == lifespan || lifetime == lifespan + 1,
                "exp - iat is " + lifetime + ", not the lifespan " + lifespan + " (or one more, across a second boundary)");
    }
}
