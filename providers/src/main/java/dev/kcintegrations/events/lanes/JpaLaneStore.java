package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.RealmUrl;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.config.WebhookTargets;
import dev.kcintegrations.events.sender.BearerTokens;
import dev.kcintegrations.events.sender.ConcurSignature;
import dev.kcintegrations.events.sender.RealmClientCertificates;
import dev.kcintegrations.events.store.Leases;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.PendingDelivery;
import dev.kcintegrations.events.store.SubscriptionLease;
import dev.kcintegrations.events.topics.SubscriberAccess;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A lane's reads in Keycloak's database, each in a transaction of its own. */
final class JpaLaneStore implements LaneStore {

    private final KeycloakSessionFactory sessionFactory;
    private final WebhookSettings settings;
    private final BearerTokens bearerTokens;

    JpaLaneStore(KeycloakSessionFactory sessionFactory, WebhookSettings settings, BearerTokens bearerTokens) {
        this.sessionFactory = sessionFactory;
        this.settings = settings;
        this.bearerTokens = bearerTokens;
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
                return new QueueRead(slice, List.of(), false, null, null, null, null, null); // the lane stops: nothing more to read
            }
            RealmModel realm = session.realms().getRealm(lease.realmId());
            if (realm == null) {
                return new QueueRead(slice, List.of(), true, null, null, null, null, null);
            }
            if (slice.rows().isEmpty()) {
                return new QueueRead(slice, List.of(), false, null, null, null, null, null); // nothing to send: no key, no access check
            }
            Set<String> widened = wider.apply(slice);
            List<PendingDelivery> more = List.of();
            if (widened != null) {
                Leases.QueueSlice rest = outbox.leases().slice(lease, max, sent, widened, now);
                more = rest == null ? List.of() : rest.rows();
            }
            Optional<String> denial = SubscriberAccess.denial(realm, lease.applicationId(), lease.topic())
                    .or(() -> lease.auth() == null ? Optional.empty() : bearerTokens.grantDenial(session, realm, lease.applicationId(), lease.auth()));
            return new QueueRead(slice, more, false, WebhookTargets.policy(realm, settings),
                    denial.isPresent() ? null : ConcurSignature.activeKey(session, realm), denial.orElse(null),
                    lease.auth() == null ? null : RealmUrl.configured(realm), RealmClientCertificates.presented(session, realm).orElse(null));
        });
    }

    @Override
    public String bearer(SubscriptionLease lease, String endpoint, URI issuer) {
        BearerTokens.Key key = new BearerTokens.Key(lease.realmId(), lease.applicationId(), lease.name(), endpoint, lease.auth());
        String cached = issuer == null ? null : bearerTokens.cached(key, issuer);
        if (cached != null) {
            return cached; // no transaction for the usual case
        }
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealm(lease.realmId());
            if (realm == null) {
                throw new BearerTokens.Refused("realm no longer exists");
            }
            return bearerTokens.token(session, realm, RealmUrl.configured(realm), key);
        });
    }

    @Override
    public void forgetBearer(SubscriptionLease lease, String endpoint) {
        bearerTokens.forget(new BearerTokens.Key(lease.realmId(), lease.applicationId(), lease.name(), endpoint, lease.auth()));
    }

    @Override
    public String accessDenial(SubscriptionLease lease) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealm(lease.realmId());
            if (realm == null) {
                return "realm no longer exists";
            }
            return SubscriberAccess.denial(realm, lease.applicationId(), lease.topic())
                    .or(() -> lease.auth() == null ? Optional.empty() : bearerTokens.grantDenial(session, realm, lease.applicationId(), lease.auth()))
                    .orElse(null);
        });
    }
}
