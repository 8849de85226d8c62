package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
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
    /**
     * Notes that {@code node} delivers, and returns how many nodes did so since {@code since} (this one
     * included): the claim loop takes its share of the subscriptions by it.
     */
    public int heartbeat(String node, long now, long since) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        String name = ("lanes:" + node).substring(0, Math.min(64, ("lanes:" + node).length()));
        JobRunEntity row = em.find(JobRunEntity.class, name);
        if (row == null) {
            row = new JobRunEntity();
            row.setName(name);
            em.persist(row);
        }
        row.setLastRunAt(now);
        row.setNode(node);
        em.flush();
        return em.createNamedQuery("KciJob.liveNodes", Long.class).setParameter("since", since).getSingleResult().intValue();
    }

    /** Nodes not heard from since {@code before} are gone. */
    public int forgetNodes(long before) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createNamedQuery("KciJob.forgetNodes").setParameter("before", before).executeUpdate();
    }

    public boolean claim(String job, String node, long now, long minGapMillis) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager()
                .createNamedQuery("KciJob.claimRun")
                .setParameter("now", now).setParameter("node", node).setParameter("name", job)
                .setParameter("ranBefore", now - minGapMillis)
                .executeUpdate() == 1;
    }
}
