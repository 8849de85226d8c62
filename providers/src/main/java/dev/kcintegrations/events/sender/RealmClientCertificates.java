package dev.kcintegrations.events.sender;

import dev.kcintegrations.events.store.ClientCertificateEntity;
import dev.kcintegrations.events.store.ClientCertificates;
import org.jboss.logging.Logger;
import org.keycloak.common.crypto.CryptoIntegration;
import org.keycloak.common.util.KeyUtils;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.security.auth.x500.X500Principal;

/**
 * The client certificates a realm's webhook POSTs present (SAP Concur's receivers accept a connection only from a
 * certificate with a known subject): made here with the administrator's subject, or imported from a PKCS#12 key
 * store issued by the enterprise's CA. One is presented at a time, the latest whose {@code activeFrom} has come, so a
 * successor is published first and presented later: receivers that pin the certificate trust both in between.
 */
public final class RealmClientCertificates {

    private static final Logger LOG = Logger.getLogger(RealmClientCertificates.class);

    public static final int MAX_SUBJECT = 1024;
    public static final int MAX_VALIDITY_DAYS = 3650;
    /** A chain is the realm's certificate and its CAs': a few; the PEM fits its column. */
    static final int MAX_CHAIN = 10;
    static final int MAX_CHAIN_PEM = 25_500;
    private static final long CACHE_MILLIS = 10_000;
    private static final Map<String, Cached> PRESENTED = new ConcurrentHashMap<>();

    private record Cached(Optional<ClientIdentity> identity, long loadedAt) {
    }

    /** A certificate that cannot be made or imported, with a reason fit for the administrator. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private RealmClientCertificates() {
    }

    /**
     * What the realm's POSTs present now; empty when the realm has none. Read from the database at most every
     * {@value #CACHE_MILLIS} ms per realm and node, so a certificate made or deleted on one node is presented by
     * every node within that time.
     */
    public static Optional<ClientIdentity> presented(KeycloakSession session, RealmModel realm) {
        long now = System.currentTimeMillis();
        Cached cached = PRESENTED.get(realm.getId());
        if (cached != null && now - cached.loadedAt() < CACHE_MILLIS) {
            return cached.identity();
        }
        Optional<ClientIdentity> identity;
        try {
            identity = new ClientCertificates(session).presented(realm.getId(), now).map(RealmClientCertificates::identity);
        } catch (IllegalStateException unreadable) {
            // One unreadable row must not stop the realm's every POST (most receivers never ask for a certificate).
            LOG.warnf("Realm %s: %s; its POSTs present no client certificate until an administrator replaces it", realm.getName(),
                    unreadable.getMessage());
            identity = Optional.empty();
        }
        PRESENTED.put(realm.getId(), new Cached(identity, now));
        return identity;
    }

    /** After a change on this node: present what the database says at once. */
    public static void forget(String realmId) {
        PRESENTED.remove(realmId);
    }

    /**
     * A new RSA 2048 key and a self-signed certificate for {@code subject} (an X.500 name such as
     * {@code CN=webhook.api.example.com, O=Example}), made by Keycloak's crypto provider.
     */
    public static ClientCertificateEntity generate(String realmId, String subject, int validityDays, long activeFrom, long now) {
        X500Principal name = subject(subject);
        if (validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
            throw new Refused("validityDays must be 1-" + MAX_VALIDITY_DAYS);
        }
        KeyPair pair = KeyUtils.generateRsaKeyPair(2048); // as Keycloak makes a realm's RSA keys, with its crypto provider
        // Keycloak's provider (BouncyCastle, or its FIPS variant) writes the certificate; its name says "test" because
        // Keycloak's own tests use it, but it is the one of its methods that takes a whole X.500 name as the subject.
        X509Certificate certificate;
        try {
            certificate = CryptoIntegration.getProvider().getCertificateUtils().createServicesTestCertificate(
                    inEncodingOrder(name), new Date(now - Duration.ofMinutes(5).toMillis()),
                    new Date(now + Duration.ofDays(validityDays).toMillis()), pair);
        } catch (RuntimeException refused) {
            throw new Refused("subject could not be written into a certificate as given");
        }
        if (!certificate.getSubjectX500Principal().equals(name)) {
            throw new Refused("subject could not be written into a certificate as given"); // the subject is the point
        }
        return entity(realmId, ClientCertificateEntity.Origin.GENERATED, pair.getPrivate(), new X509Certificate[]{certificate}, activeFrom, now);
    }

    /**
     * The successor of a certificate made here: a new key, the same subject and lifetime, presented from
     * {@code activeFrom} (published meanwhile, so receivers that pin certificates trust it first).
     */
    public static ClientCertificateEntity successor(ClientCertificateEntity current, long activeFrom, long now) {
        X509Certificate first = chain(current)[0];
        int days = (int) Math.max(1, Math.min(MAX_VALIDITY_DAYS,
                Duration.ofMillis(first.getNotAfter().getTime() - first.getNotBefore().getTime()).toDays()));
        return generate(current.getRealmId(), current.getSubject(), days, activeFrom, now);
    }

    /**
     * Keycloak's own rotation: each certificate made here (not an imported one: its CA issues the next) that ends within
     * twice {@code overlap} and has no successor gets one, presented {@code overlap} from now (or a minute before the
     * old one ends, if that is sooner), published meanwhile. Returns the successors made.
     */
    public static List<ClientCertificateEntity> rotateEnding(KeycloakSession session, Duration overlap, long now) {
        ClientCertificates store = new ClientCertificates(session);
        List<ClientCertificateEntity> made = new ArrayList<>();
        for (ClientCertificateEntity ending : store.generatedEndingBefore(now + 2 * overlap.toMillis(), now)) {
            ClientCertificateEntity next = successor(ending, Math.min(now + overlap.toMillis(), ending.getNotAfter() - 60_000), now);
            store.add(next);
            forget(ending.getRealmId());
            made.add(next);
        }
        return made;
    }

    /** The one key entry of a PKCS#12 key store, with its chain ({@link Pkcs12KeyEntry}), presented from {@code activeFrom}. */
    public static ClientCertificateEntity imported(String realmId, byte[] pkcs12, char[] password, long activeFrom, long now) {
        Pkcs12KeyEntry entry = Pkcs12KeyEntry.read(pkcs12, password, MAX_CHAIN);
        if (entry.chain()[0].getNotAfter().getTime() <= now) {
            throw new Refused("the certificate expired on " + entry.chain()[0].getNotAfter().toInstant());
        }
        return entity(realmId, ClientCertificateEntity.Origin.IMPORTED, entry.key(), entry.chain(), activeFrom, now);
    }

    /**
     * The name's RDNs in the order they are encoded: BouncyCastle reads a name string that way, while RFC 2253 writes
     * the last one first, so "CN=a, O=b" given as is would come out as "O=b, CN=a".
     */
    private static String inEncodingOrder(X500Principal name) {
        try {
            List<String> rdns = new ArrayList<>();
            new LdapName(name.getName(X500Principal.RFC2253)).getRdns().forEach(rdn -> rdns.add(rdn.toString())); // index 0: the last
            return String.join(",", rdns);
        } catch (InvalidNameException e) {
            throw new Refused("subject is not an X.500 name (such as CN=webhook.example.com, O=Example)");
        }
    }

    private static X500Principal subject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT) {
            throw new Refused("subject must be an X.500 name of 1-" + MAX_SUBJECT + " characters, such as CN=webhook.example.com");
        }
        try {
            return new X500Principal(subject.strip());
        } catch (IllegalArgumentException e) {
            throw new Refused("subject is not an X.500 name (such as CN=webhook.example.com, O=Example)");
        }
    }

    private static ClientCertificateEntity entity(String realmId, ClientCertificateEntity.Origin origin, PrivateKey key,
                                                  X509Certificate[] chain, long activeFrom, long now) {
        ClientCertificateEntity entity = new ClientCertificateEntity();
        entity.setId(UUID.randomUUID().toString());
        entity.setRealmId(realmId);
        String subject = chain[0].getSubjectX500Principal().getName(X500Principal.RFC2253);
        if (subject.length() > MAX_SUBJECT) {
            throw new Refused("the certificate's subject is longer than " + MAX_SUBJECT + " characters");
        }
        entity.setSubject(subject);
        entity.setOrigin(origin);
        entity.setPrivateKey(Base64.getEncoder().encodeToString(key.getEncoded()));
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            pem.append(pem(certificate));
        }
        if (pem.length() > MAX_CHAIN_PEM) {
            throw new Refused("the certificate chain is longer than " + MAX_CHAIN_PEM + " characters of PEM");
        }
        entity.setChain(pem.toString());
        entity.setNotAfter(chain[0].getNotAfter().getTime());
        entity.setActiveFrom(activeFrom);
        entity.setCreatedAt(now);
        return entity;
    }

    static ClientIdentity identity(ClientCertificateEntity entity) {
        X509Certificate[] chain = chain(entity);
        try {
            PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(entity.getPrivateKey())));
            return new ClientIdentity(entity.getId(), entity.getSubject(), key, chain);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Unreadable webhook client certificate " + entity.getId());
        }
    }

    static X509Certificate[] chain(ClientCertificateEntity entity) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(entity.getChain().getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Unreadable webhook client certificate " + entity.getId());
        }
    }

    static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where a certificate is in its life, at one instant. */
    public enum State { PRESENTED, NEXT, REPLACED, EXPIRED }

    /**
     * A certificate as receivers and administrators see it: never the key.
     *
     * @param notBefore  ISO-8601, as every instant of the APIs (a JSON number of seconds would be read as anything)
     * @param sha256 the certificate's SHA-256 fingerprint (hex), which receivers that pin certificates compare
     * @param pem    the chain, the realm's certificate first
     */
    public record View(String id, String subject, String issuer, String origin, State state, String notBefore, String notAfter,
                       String activeFrom, String sha256, String pem) {
    }

    /** The realm's certificates, the latest to be presented first, each with its state at {@code now}. */
    public static List<View> views(KeycloakSession session, RealmModel realm, long now) {
        ClientCertificates store = new ClientCertificates(session);
        String presented = store.presented(realm.getId(), now).map(ClientCertificateEntity::getId).orElse(null);
        List<View> views = new ArrayList<>();
        for (ClientCertificateEntity entity : store.ofRealm(realm.getId())) {
            State state;
            if (entity.getNotAfter() <= now) {
                state = State.EXPIRED;
            } else if (entity.getId().equals(presented)) {
                state = State.PRESENTED;
            } else {
                // Later in the list than the presented one means older: the presented one replaced it.
                state = entity.getActiveFrom() > now ? State.NEXT : State.REPLACED;
            }
            views.add(view(entity, state));
        }
        return views;
    }

    static View view(ClientCertificateEntity entity, State state) {
        X509Certificate first = chain(entity)[0];
        try {
            return new View(entity.getId(), entity.getSubject(), first.getIssuerX500Principal().getName(X500Principal.RFC2253),
                    entity.getOrigin().name(), state, first.getNotBefore().toInstant().toString(), first.getNotAfter().toInstant().toString(),
                    Instant.ofEpochMilli(entity.getActiveFrom()).toString(),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(first.getEncoded())), entity.getChain());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
