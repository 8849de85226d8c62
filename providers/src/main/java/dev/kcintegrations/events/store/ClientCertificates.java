package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.List;
import java.util.Optional;

/** The webhook client certificates of realms in Keycloak's database, within the caller's transaction. */
public final class ClientCertificates {

    private final EntityManager em;

    public ClientCertificates(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** The realm's certificates, the latest to be presented first. */
    public List<ClientCertificateEntity> ofRealm(String realmId) {
        return em.createNamedQuery("KciClientCert.ofRealm", ClientCertificateEntity.class).setParameter("realmId", realmId).getResultList();
    }

    /**
     * The one the realm's POSTs present at {@code now}: the latest whose time has come, while it is valid. An
     * expired certificate is not presented (the receiver would refuse it anyway, and say less about why).
     */
    public Optional<ClientCertificateEntity> presented(String realmId, long now) {
        return ofRealm(realmId).stream().filter(c -> c.getActiveFrom() <= now).findFirst().filter(c -> c.getNotAfter() > now);
    }

    /**
     * Certificates made here, presented now or before (in any realm), that end before {@code before} and have no
     * successor yet: the ones Keycloak rotates itself.
     */
    public List<ClientCertificateEntity> generatedEndingBefore(long before, long now) {
        return em.createNamedQuery("KciClientCert.generatedEndingBefore", ClientCertificateEntity.class)
                .setParameter("before", before).setParameter("now", now).getResultList();
    }

    public void add(ClientCertificateEntity certificate) {
        em.persist(certificate);
    }

    public boolean remove(String realmId, String id) {
        ClientCertificateEntity found = em.find(ClientCertificateEntity.class, id);
        if (found == null || !found.getRealmId().equals(realmId)) {
            return false;
        }
        em.remove(found);
        return true;
    }

    public void removeRealm(String realmId) {
        em.createNamedQuery("KciClientCert.removeRealm").setParameter("realmId", realmId).executeUpdate();
    }
}
