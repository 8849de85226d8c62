package dev.kcintegrations.callout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code expires_in} a callout client is told. Keycloak reads the clock twice while it builds a token
 * ({@code iat} first, then {@code exp} from the milliseconds plus the lifespan), so {@code exp - iat} is one
 * second over the lifespan whenever a second boundary passes in between (the landing CI saw 86400 for 86399).
 */
class TokenLifetimeTest {

    private static final long IAT = 1_796_600_000L;

    @Test
    void aTokenBuiltWithinOneSecondIsToldTheConfiguredLifespan() {
        assertEquals(86_399, LifetimeRecordingTokenManager.lifetime(IAT, IAT + 86_399, 86_399));
    }

    @Test
    void aTokenWhoseExpiryWasReadInTheNextSecondIsStillToldTheConfiguredLifespan() {
        assertEquals(86_399, LifetimeRecordingTokenManager.lifetime(IAT, IAT + 86_400, 86_399));
    }

    @Test
    void aTokenCutShortByItsSessionIsToldWhatItHas() {
        // SSO Session Max (36,000 s by default) caps the token below the client's lifespan.
        assertEquals(36_000, LifetimeRecordingTokenManager.lifetime(IAT, IAT + 36_000, 86_399));
    }

    @Test
    void aLifespanOfMinusOneMeansTheSessionsAndIsNotACap() {
        assertEquals(36_000, LifetimeRecordingTokenManager.lifetime(IAT, IAT + 36_000, -1));
    }
}
