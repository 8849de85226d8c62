package dev.kcintegrations.events.ops;

import dev.kcintegrations.events.store.OutboxStatus;

import java.time.Duration;

/**
 * Decides whether webhook delivery keeps up: DOWN when a row has been due for longer than the configured
 * bound (no node claims it: dispatchers stalled, database locks, every slot stuck), or when this node has
 * not been able to read the outbox for that long. A receiver that is down does not make Keycloak
 * unhealthy: its rows wait for their retry time and are not due meanwhile.
 *
 * <p>The readiness check is a CDI bean, created by Quarkus and not by Keycloak's provider machinery, so it
 * cannot be handed the engine; the engine publishes the one instance here when it starts.
 */
public final class OutboxHealth {

    private static volatile OutboxHealth installed;

    private final Duration maxOverdue;
    private final Duration maxSilence;
    private volatile OutboxStatus last;

    public OutboxHealth(Duration maxOverdue, Duration statsInterval) {
        this.maxOverdue = maxOverdue;
        Duration threeReads = statsInterval.multipliedBy(3);
        this.maxSilence = maxOverdue.compareTo(threeReads) > 0 ? maxOverdue : threeReads;
    }

    public static void install(OutboxHealth health) {
        installed = health;
    }

    /** The engine's instance, or null before the engine started (or when it is not deployed). */
    public static OutboxHealth installed() {
        return installed;
    }

    public void publish(OutboxStatus status) {
        last = status;
    }

    public Verdict verdict(long now) {
        OutboxStatus status = last;
        if (maxOverdue.isZero()) {
            return new Verdict(true, "check disabled", status);
        }
        if (status == null) {
            return new Verdict(true, "not read yet", null);
        }
        if (now - status.readAt() > maxSilence.toMillis()) {
            return new Verdict(false, "outbox not read for " + (now - status.readAt()) / 1000 + " s", status);
        }
        if (status.overdueSeconds() > maxOverdue.toSeconds()) {
            return new Verdict(false, "a delivery has been due for " + status.overdueSeconds() + " s (bound "
                    + maxOverdue.toSeconds() + " s)", status);
        }
        return new Verdict(true, "keeping up", status);
    }

    public Duration maxOverdue() {
        return maxOverdue;
    }

    /** @param status what the verdict is based on, null before the first read */
    public record Verdict(boolean up, String reason, OutboxStatus status) {
    }
}
