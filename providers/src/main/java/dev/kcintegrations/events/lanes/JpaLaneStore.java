package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.config.WebhookTargets;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import dev.kcintegrations.events.topics.SubscriberAccess;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A lane's reads in Keycloak's database, each in a transaction of its own. */
final class JpaLaneStore implements LaneStore {

    private final KeycloakSessionFactory sessionFactory;
    private final WebhookSettings settings;

    JpaLaneStore(KeycloakSessionFactory sessionFactory, WebhookSettings settings) {
        this.sessionFactory = sessionFactory;
        this.settings = settings;
    }

    @Override
    public QueueRead read(SubscriptionLease lease, int max, List<String> sent, Set<String> skip,
                          Function<Leases.QueueSlice, Set<String>> wider, long now) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Outbox outbox = new Outbox(session);
            Leases.QueueSlice slice = outbox.leases().slice(lease, max, sent, skip, now);
            if (slice == null) {
                return null;
            }
            if (!slice.status().served()) {
                return new QueueRead(slice, List.of(), false, null, null, null); // the lane stops: nothing more to read
            }
            RealmModel realm = session.realms().getRealm(lease.realmId());
            if (realm == null) {
                return new QueueRead(slice, List.of(), true, null, null, null);
            }
            if (slice.rows().isEmpty()) {
                return new QueueRead(slice, List.of(), false, null, null, null); // nothing to send: no key, no access check
            }
            Set<String> widened = wider.apply(slice);
            List<PendingDelivery> more = List.of();
            if (widened != null) {
                Leases.QueueSlice rest = outbox.leases().slice(lease, max, sent, widened, now);
                more = rest == null ? List.of() : rest.rows();
            }
            Optional<String> denial = SubscriberAccess.denial(realm, lease.applicationId(), lease.topic());
            return new QueueRead(slice, more, false, WebhookTargets.policy(realm, settings),
                    denial.isPresent() ? null : ConcurSignature.activeKey(session, realm), denial.orElse(null));
        });
    }

    @Override
    public String accessDenial(SubscriptionLease lease) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealm(lease.realmId());
            return realm == null ? "realm no longer exists" : SubscriberAccess.denial(realm, lease.applicationId(), lease.topic()).orElse(null);
        });
    }
}
