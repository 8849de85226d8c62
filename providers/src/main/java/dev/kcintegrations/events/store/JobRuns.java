package dev.kcintegrations.events.store;

import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/** Lets a cluster-wide job run at most once per interval, whichever node's timer fires first. */
public final class JobRuns {

    public static final String HOUSEKEEPING = "housekeeping";

    private final KeycloakSession session;

    public JobRuns(KeycloakSession session) {
        this.session = session;
    }

    /**
     * Records a run of {@code job} by {@code node} at {@code now} if the last one (by any node) was at least
     * {@code minGapMillis} ago; false means another node ran it recently. Holds the row lock until the
     * caller's transaction ends, so the job's work and its record commit together.
     */
    public boolean claim(String job, String node, long now, long minGapMillis) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createNamedQuery("KciJob.claimRun")
                .setParameter("now", now).setParameter("node", node).setParameter("name", job)
                .setParameter("ranBefore", now - minGapMillis)
                .executeUpdate() == 1;
    }
}
