package dev.kcintegrations.events.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A realm's client certificate for webhook POSTs: the private key (PKCS#8, Base64) and the certificate chain (PEM,
 * the realm's certificate first) it presents in TLS. The private key is stored as Keycloak stores its generated
 * realm keys: in the realm's database; it never leaves the server through an API.
 */
@Entity
@Table(name = "KCI_WEBHOOK_CLIENT_CERT")
@NamedQueries({
        @NamedQuery(name = "KciClientCert.ofRealm",
                query = "SELECT c FROM ClientCertificateEntity c WHERE c.realmId = :realmId ORDER BY c.activeFrom DESC, c.createdAt DESC"),
        @NamedQuery(name = "KciClientCert.generatedEndingBefore",
                query = "SELECT c FROM ClientCertificateEntity c WHERE c.origin = 'GENERATED' AND c.notAfter < :before"
                        + " AND c.activeFrom <= :now AND c.notAfter > :now"
                        + " AND NOT EXISTS (SELECT n.id FROM ClientCertificateEntity n WHERE n.realmId = c.realmId AND n.activeFrom > c.activeFrom)"),
        @NamedQuery(name = "KciClientCert.removeRealm",
                query = "DELETE FROM ClientCertificateEntity c WHERE c.realmId = :realmId"),
})
public class ClientCertificateEntity {

    /** How a certificate came to the realm. */
    public enum Origin { GENERATED, IMPORTED }

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "SUBJECT", length = 1024, nullable = false)
    private String subject;
    @Column(name = "ORIGIN", length = 16, nullable = false)
    private String origin;
    @Column(name = "PRIVATE_KEY", nullable = false)
    private String privateKey;
    @Column(name = "CHAIN", nullable = false)
    private String chain;
    @Column(name = "NOT_AFTER", nullable = false)
    private long notAfter;
    @Column(name = "ACTIVE_FROM", nullable = false)
    private long activeFrom;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String realmId) { this.realmId = realmId; }
    public String getSubject() { return subject; }
    public void setSubject(String subject) { this.subject = subject; }
    public Origin getOrigin() { return Origin.valueOf(origin); }
    public void setOrigin(Origin origin) { this.origin = origin.name(); }
    public String getPrivateKey() { return privateKey; }
    public void setPrivateKey(String privateKey) { this.privateKey = privateKey; }
    public String getChain() { return chain; }
    public void setChain(String chain) { this.chain = chain; }
    public long getNotAfter() { return notAfter; }
    public void setNotAfter(long notAfter) { this.notAfter = notAfter; }
    public long getActiveFrom() { return activeFrom; }
    public void setActiveFrom(long activeFrom) { this.activeFrom = activeFrom; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long createdAt) { this.createdAt = createdAt; }
}
