package dev.kcintegrations.events.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Server-side request forgery rules for webhook endpoints. An endpoint must be an absolute {@code https}
 * URL (plain {@code http} only to allow-listed hosts) without user info; its host is resolved and
 * <b>every</b> address must be public: loopback, private, link-local (cloud metadata), shared (CGNAT),
 * multicast, unspecified, reserved, unique-local IPv6 and IPv4-mapped or -compatible forms of those are
 * refused unless allow-listed. The caller connects to the returned address, never resolving again, so a
 * DNS answer cannot change between check and connection.
 */
public final class WebhookTargetPolicy {

    /** Resolves a host name; replaced in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Why an endpoint is refused; the message is for a 400 naming the field. */
    public static final class RefusedTargetException extends IllegalArgumentException {
        RefusedTargetException(String message) {
            super(message, null);
        }
    }

    /** An endpoint that passed, with the address to connect to. */
    public record CheckedTarget(URI uri, InetAddress address) {
    }

    private final List<String> allowedHosts;
    private final Resolver resolver;

    /**
     * @param allowedHosts host names or IP literals (exact, case-insensitive) that may be private or use
     *                     plain http — the administrator's allow-list
     */
    public WebhookTargetPolicy(List<String> allowedHosts, Resolver resolver) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        this.resolver = resolver;
    }

    public CheckedTarget check(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (Exception e) {
            throw new RefusedTargetException("endpoint is not a URL");
        }
        if (!uri.isAbsolute() || uri.getHost() == null || uri.isOpaque()) {
            throw new RefusedTargetException("endpoint must be an absolute URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedTargetException("endpoint must not contain user info");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = stripBrackets(uri.getHost()).toLowerCase(Locale.ROOT);
        boolean allowListed = allowedHosts.contains(host);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowListed)) {
            throw new RefusedTargetException("endpoint must use https (http only to allow-listed hosts)");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new RefusedTargetException("endpoint host does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedTargetException("endpoint host does not resolve");
        }
        if (!allowListed) {
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw new RefusedTargetException("endpoint resolves to a non-public address");
                }
            }
        }
        return new CheckedTarget(uri, addresses[0]);
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return isPublicIpv4(b);
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique local
            }
            if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
                return false; // fec0::/10 site-local (deprecated)
            }
            if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0 && b[5] == 1) {
                return false; // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): translates into networks of its operator
            }
            if (embedsIpv4(b)) {
                byte[] v4 = {b[12], b[13], b[14], b[15]};
                return isPublicIpv4(v4);
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
                return isPublicIpv4(new byte[]{b[2], b[3], b[4], b[5]}); // 2002::/16 6to4 carries the IPv4 address
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
                // 2001::/32 Teredo: the server's IPv4 address, and the client's with every bit inverted
                return isPublicIpv4(new byte[]{b[4], b[5], b[6], b[7]})
                        && isPublicIpv4(new byte[]{(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]});
            }
            return true;
        }
        return false;
    }

    /**
     * ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d (translated, RFC 2765 SIIT: a translator
     * on the path turns it into the IPv4 address) and 64:ff9b::a.b.c.d (NAT64) carry an IPv4 address.
     */
    private static boolean embedsIpv4(byte[] b) {
        boolean firstEightZero = true;
        for (int i = 0; i < 8; i++) {
            firstEightZero &= b[i] == 0;
        }
        boolean firstTenZero = firstEightZero && b[8] == 0 && b[9] == 0;
        boolean mapped = firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = firstTenZero && b[10] == 0 && b[11] == 0;
        boolean translated = firstEightZero && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0;
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        return mapped || compatible || translated || nat64;
    }

    private static boolean isPublicIpv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 0 || a0 == 10 || a0 == 127 || a0 >= 224) {
            return false; // this network, private, loopback, multicast and reserved (incl. broadcast)
        }
        if (a0 == 100 && a1 >= 64 && a1 <= 127) {
            return false; // 100.64.0.0/10 shared address space (CGNAT)
        }
        if (a0 == 169 && a1 == 254) {
            return false; // link-local, cloud metadata
        }
        if (a0 == 172 && a1 >= 16 && a1 <= 31) {
            return false;
        }
        if (a0 == 192 && a1 == 168) {
            return false;
        }
        if (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) {
            return false; // 192.0.0.0/24 IETF protocol assignments
        }
        if (a0 == 198 && (a1 == 18 || a1 == 19)) {
            return false; // benchmarking
        }
        return true;
    }
}
