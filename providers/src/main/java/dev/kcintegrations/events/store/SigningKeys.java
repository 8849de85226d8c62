package dev.kcintegrations.events.store;

import jakarta.persistence.EntityManager;
import org.keycloak.common.util.KeyUtils;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The webhook signing keys of realms in Keycloak's database, within the caller's transaction. */
public final class SigningKeys {

    private final EntityManager em;

    public SigningKeys(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** Newest first; the first one that is not retired signs. */
    public List<SigningKeyEntity> ofRealm(String realmId) {
        return em.createNamedQuery("KciKey.ofRealm", SigningKeyEntity.class).setParameter("realmId", realmId).getResultList();
    }

    public Optional<SigningKeyEntity> active(String realmId) {
        return ofRealm(realmId).stream().filter(key -> key.getRetiredAt() == null).findFirst();
    }

    /** A new RSA 2048 key for the realm. Two nodes creating one at once both publish theirs; the newest signs. */
    public SigningKeyEntity generate(String realmId, long now) {
        KeyPair pair = KeyUtils.generateRsaKeyPair(2048); // as Keycloak makes a realm's RSA keys, with its crypto provider
        SigningKeyEntity key = new SigningKeyEntity();
        key.setKid("webhook-" + UUID.randomUUID());
        key.setRealmId(realmId);
        key.setPrivateKey(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        key.setPublicKey(Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        key.setCreatedAt(now);
        em.persist(key);
        return key;
    }

    /** The keys {@link #retireCreatedBefore} would retire now. */
    public List<SigningKeyEntity> signingCreatedBefore(long before) {
        return em.createNamedQuery("KciKey.signingCreatedBefore", SigningKeyEntity.class).setParameter("before", before).getResultList();
    }

    /** Rotation: keys created before {@code before} stop signing (housekeeping made their successors first). */
    public int retireCreatedBefore(long before, long now) {
        return em.createNamedQuery("KciKey.retireCreatedBefore").setParameter("before", before).setParameter("now", now).executeUpdate();
    }

    public int purgeRetiredBefore(long before) {
        return em.createNamedQuery("KciKey.purgeRetiredBefore").setParameter("before", before).executeUpdate();
    }

    public void removeRealm(String realmId) {
        em.createNamedQuery("KciKey.removeRealm").setParameter("realmId", realmId).executeUpdate();
    }
}
