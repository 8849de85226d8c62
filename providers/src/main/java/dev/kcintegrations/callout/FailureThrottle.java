package dev.kcintegrations.callout;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Failed client authentications at {@code oauth-compat/token}, counted per source address and per client in
 * token buckets of this node: each key may fail {@code perMinute} times a minute, refilled evenly. A failure
 * used to cost a stored event, an outbox row, an RS256 signature and a delivery to every subscriber of
 * {@code CLIENT_LOGIN_ERROR}, for free to the sender (2,000 in 14 s from one thread).
 * <ul>
 *   <li>An <b>address</b> (an IPv6 one by its /64, which one host holds whole) takes a token before anything
 *       is checked and gets it back unless the request fails to authenticate: past its budget it is refused at
 *       once, concurrent requests included. Whoever sends from it only locks itself out (behind a proxy, Keycloak
 *       needs {@code --proxy-headers} to see callers' addresses).</li>
 *   <li>A <b>client</b> (the one the id names; an id that names none has no budget of its own, so made-up ids
 *       buy nothing beyond their address's) over its budget still gets a token for its right secret, so an attacker who knows a client
 *       id cannot stop that integration; a wrong one is answered {@code 429} with no event, so failures beyond
 *       the budget cost nothing downstream.</li>
 * </ul>
 * A key refused is refused until the {@code Retry-After} it was told (whole seconds), whatever refilled meanwhile:
 * a sender that ignores the header and keeps asking gets nothing sooner than one that waits as told.
 * Buckets are per node (a cluster of n nodes allows n times the budget); idle keys leave after ten minutes.
 */
final class FailureThrottle {

    private static final int MAX_KEYS = 100_000;

    private final int perMinuteAndAddress;
    private final int perMinuteAndClient;
    private final LongSupplier nanoClock;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(MAX_KEYS).expireAfterAccess(Duration.ofMinutes(10)).build();

    /** @param perMinuteAndAddress failures an address may have a minute, 0 for no limit; likewise per client */
    FailureThrottle(int perMinuteAndAddress, int perMinuteAndClient) {
        this(perMinuteAndAddress, perMinuteAndClient, System::nanoTime);
    }

    /** With the clock {@code nanoClock} ({@link System#nanoTime()}'s kind), for tests that move time. */
    FailureThrottle(int perMinuteAndAddress, int perMinuteAndClient, LongSupplier nanoClock) {
        this.perMinuteAndAddress = perMinuteAndAddress;
        this.perMinuteAndClient = perMinuteAndClient;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes one of {@code address}'s failures in advance; empty when it may send now (call {@link #succeeded}
     * unless the request then fails to authenticate), else how long it must wait.
     */
    Optional<Duration> admit(String address) {
        if (perMinuteAndAddress <= 0 || address == null) {
            return Optional.empty();
        }
        Bucket bucket = buckets.get(addressKey(address), k -> new Bucket(perMinuteAndAddress, nanoClock));
        return bucket.take() ? Optional.empty() : bucket.waitForOne();
    }

    /** The request admitted for {@code address} did not fail to authenticate: its failure is given back. */
    void succeeded(String address) {
        if (perMinuteAndAddress > 0 && address != null) {
            Bucket bucket = buckets.getIfPresent(addressKey(address));
            if (bucket != null) {
                bucket.giveBack();
            }
        }
    }

    /**
     * Counts a failed authentication of {@code client} (the client's id in the realm, or null for a client id
     * that names no client: not counted here); returns how long to wait when the client had no failure left, so that this one
     * is answered 429 rather than recorded.
     */
    Optional<Duration> failed(String realmId, String client) {
        if (perMinuteAndClient <= 0 || client == null) {
            return Optional.empty(); // an id that names no client has no budget of its own: its address's holds it
        }
        String key = "c " + realmId + " " + client;
        Bucket bucket = buckets.get(key, k -> new Bucket(perMinuteAndClient, nanoClock));
        return bucket.take() ? Optional.empty() : bucket.waitForOne();
    }

    /** An IPv4 address as it is; an IPv6 one by its /64. */
    static String addressKey(String address) {
        if (!address.matches("[0-9A-Fa-f:.]{2,45}")) {
            return "a " + address; // not an address literal (getByName would look a name up)
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            if (parsed instanceof Inet6Address) {
                byte[] bytes = parsed.getAddress();
                Arrays.fill(bytes, 8, 16, (byte) 0);
                return "a " + InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            }
            return "a " + parsed.getHostAddress();
        } catch (Exception notALiteral) {
            return "a " + address;
        }
    }

    /** Up to {@code capacity} tokens, {@code capacity} a minute back; none to anyone until a refusal's wait is over. */
    static final class Bucket {
        private static final long SECOND = 1_000_000_000L;

        private final double capacity;
        private final double perNano;
        private final LongSupplier clock;
        private double tokens;
        private long at;
        private long refusedUntil;

        Bucket(int perMinute, LongSupplier clock) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.clock = clock;
            this.tokens = perMinute;
            this.at = clock.getAsLong();
            this.refusedUntil = at;
        }

        /** Takes a token; false when there was none or a refusal's wait is not over (nothing is taken then). */
        synchronized boolean take() {
            long now = refill();
            if (now - refusedUntil >= 0 && tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized void giveBack() {
            refill();
            tokens = Math.min(capacity, tokens + 1);
        }

        /**
         * After a {@link #take()} that failed: how long the refused caller must wait, in whole seconds as
         * {@code Retry-After} says it, and nobody is given a token before then.
         */
        synchronized Optional<Duration> waitForOne() {
            long now = refill();
            if (now - refusedUntil < 0) {
                return Optional.of(Duration.ofSeconds(Math.ceilDiv(refusedUntil - now, SECOND)));
            }
            if (tokens >= 1) {
                return Optional.empty();
            }
            long seconds = Math.max(1, Math.ceilDiv((long) Math.ceil((1 - tokens) / perNano), SECOND));
            refusedUntil = now + seconds * SECOND;
            return Optional.of(Duration.ofSeconds(seconds));
        }

        private long refill() {
            long now = clock.getAsLong();
            tokens = Math.min(capacity, tokens + (now - at) * perNano);
            at = now;
            return now;
        }
    }
}
