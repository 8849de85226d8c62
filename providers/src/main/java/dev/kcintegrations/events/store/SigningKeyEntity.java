package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A realm's webhook signing key (RS256): PKCS#8 private and X.509 public key, Base64. The private key is
 * stored as Keycloak stores its generated realm keys: in the realm's database.
 */
@Entity
@Table(name = "KCI_WEBHOOK_KEY")
@NamedQueries({
        @NamedQuery(name = "KciKey.ofRealm",
                query = "SELECT k FROM SigningKeyEntity k WHERE k.realmId = :realmId ORDER BY k.createdAt DESC"),
        @NamedQuery(name = "KciKey.signingCreatedBefore",
                query = "SELECT k FROM SigningKeyEntity k WHERE k.retiredAt IS NULL AND k.createdAt < :before"),
        @NamedQuery(name = "KciKey.retireCreatedBefore",
                query = "UPDATE SigningKeyEntity k SET k.retiredAt = :now WHERE k.retiredAt IS NULL AND k.createdAt < :before"),
        @NamedQuery(name = "KciKey.purgeRetiredBefore",
                query = "DELETE FROM SigningKeyEntity k WHERE k.retiredAt IS NOT NULL AND k.retiredAt < :before"),
        @NamedQuery(name = "KciKey.removeRealm",
                query = "DELETE FROM SigningKeyEntity k WHERE k.realmId = :realmId"),
})
public class SigningKeyEntity {

    @Id
    @Column(name = "KID", length = 64)
    private String kid;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "PRIVATE_KEY", length = 4000, nullable = false)
    private String privateKey;
    @Column(name = "PUBLIC_KEY", length = 1000, nullable = false)
    private String publicKey;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "RETIRED_AT")
    private Long retiredAt;

    public String getKid() { return kid; }
    public void setKid(String kid) { this.kid = kid; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getPrivateKey() { return privateKey; }
    public void setPrivateKey(String privateKey) { this.privateKey = privateKey; }
    public String getPublicKey() { return publicKey; }
    public void setPublicKey(String publicKey) { this.publicKey = publicKey; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
    public Long getRetiredAt() { return retiredAt; }
    public void setRetiredAt(Long retiredAt) { this.retiredAt = retiredAt; }
}
