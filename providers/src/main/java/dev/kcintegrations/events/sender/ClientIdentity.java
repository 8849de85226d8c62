package dev.kcintegrations.events.sender;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * What a POST presents in TLS when the receiver asks for a client certificate: a realm's key and chain. Pooled
 * connections are kept apart by {@link #id}, so a connection made with one realm's certificate is never reused for
 * another realm's POST, nor for one that presents none.
 *
 * @param id      the certificate's id in the realm
 * @param subject the certificate's subject, for the attempt log
 */
public record ClientIdentity(String id, String subject, PrivateKey key, X509Certificate[] chain) {

    @Override
    public boolean equals(Object other) {
        return other instanceof ClientIdentity identity && identity.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ClientIdentity[" + id + ", " + subject + "]"; // never the key
    }
}
