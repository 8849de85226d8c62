package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** When a cluster-wide job last ran, and on which node. */
@Entity
@Table(name = "KCI_WEBHOOK_JOB")
@NamedQueries({
        // Compare-and-set in one statement: the row lock orders two nodes, and the second one's WHERE no
        // longer matches once the first has committed its run.
        @NamedQuery(name = "KciJob.claimRun",
                query = "UPDATE JobRunEntity j SET j.lastRunAt = :now, j.node = :node"
                        + " WHERE j.name = :name AND j.lastRunAt <= :ranBefore"),
        // Nodes that deliver say so every poll interval; those heard from lately share the subscriptions.
        @NamedQuery(name = "KciJob.liveNodes",
                query = "SELECT COUNT(j) FROM JobRunEntity j WHERE j.name LIKE 'lanes:%' AND j.lastRunAt >= :since"),
        @NamedQuery(name = "KciJob.forgetNodes",
                query = "DELETE FROM JobRunEntity j WHERE j.name LIKE 'lanes:%' AND j.lastRunAt < :before"),
})
public class JobRunEntity {

    @Id
    @Column(name = "NAME", length = 64)
    private String name;
    @Column(name = "LAST_RUN_AT", nullable = false)
    private long lastRunAt;
    @Column(name = "NODE", length = 64)
    private String node;

    public void setName(String name) { this.name = name; }
    public void setLastRunAt(long lastRunAt) { this.lastRunAt = lastRunAt; }
    public void setNode(String node) { this.node = node; }
    public String getName() { return name; }
    public long getLastRunAt() { return lastRunAt; }
    public String getNode() { return node; }
}
