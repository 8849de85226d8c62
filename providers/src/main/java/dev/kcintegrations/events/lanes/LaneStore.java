package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.sender.ClientIdentity;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import org.keycloak.crypto.KeyWrapper;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The store as a lane sees it: one read of its queue (with what sending it needs), and whether the application may
 * still receive. {@link JpaLaneStore} reads Keycloak's database; a unit test gives an in-memory queue.
 */
interface LaneStore {

    /**
     * One read, in one transaction: the bottom of the lease's PENDING range ({@code max} rows, due, without the
     * rows in {@code sent} or of the keys in {@code skip}); when {@code wider} names keys for it, a second read
     * without them ({@code more}). Null when the lease is no longer this lane's.
     */
    QueueRead read(SubscriptionLease lease, int max, List<String> sent, Set<String> skip,
                   Function<Leases.QueueSlice, Set<String>> wider, long now);

    /** Why the application may not receive now (through Keycloak's realm cache), or null when it may. */
    String accessDenial(SubscriptionLease lease);

    /**
     * The bearer token of the lease's POSTs to {@code endpoint} (its {@code auth}): cached for {@code issuer} (the
     * realm's configured URL at the last read), else issued by the realm now. Throws {@code BearerTokens.Refused}
     * saying why when the realm issues none.
     */
    String bearer(SubscriptionLease lease, String endpoint, URI issuer);

    /** Drops the lease's cached bearer token for {@code endpoint}: the receiver refused it. */
    void forgetBearer(SubscriptionLease lease, String endpoint);

    /**
     * @param realmGone the subscription's realm no longer exists
     * @param policy    where the realm lets webhooks go; null when the realm is gone
     * @param key       the key that signs now; null when access is denied or the realm is gone
     * @param denial    why the application may not receive, or null
     * @param issuer    the realm's configured URL, for a lease with a bearer token; else null
     * @param identity  the client certificate the realm's POSTs present; null: none
     */
    record QueueRead(Leases.QueueSlice slice, List<PendingDelivery> more, boolean realmGone, WebhookTargetPolicy policy,
                     KeyWrapper key, String denial, URI issuer, ClientIdentity identity) {
    }
}
