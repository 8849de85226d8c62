package dev.kcintegrations.callout;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Optional;

/**
 * Failed client authentications at {@code oauth-compat/token}, counted per source address and per client in
 * token buckets of this node: each key may fail {@code perMinute} times a minute, refilled evenly. A failure
 * used to cost a stored event, an outbox row, an RS256 signature and a delivery to every subscriber of
 * {@code CLIENT_LOGIN_ERROR}, for free to the sender (2,000 in 14 s from one thread).
 * <ul>
 *   <li>An <b>address</b> over its budget is refused before anything is checked: whoever sends from it only
 *       locks itself out.</li>
 *   <li>A <b>client</b> over its budget still gets a token for its right secret (an attacker who knows a client
 *       id must not be able to stop that integration), but a wrong one is answered {@code 429} with no event,
 *       so failures beyond the budget cost nothing downstream.</li>
 * </ul>
 * Buckets are per node (a cluster of n nodes allows n times the budget); idle keys leave after ten minutes.
 */
final class FailureThrottle {

    private static final int MAX_KEYS = 100_000;

    private final int perMinuteAndAddress;
    private final int perMinuteAndClient;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(MAX_KEYS).expireAfterAccess(Duration.ofMinutes(10)).build();

    /** @param perMinuteAndAddress failures an address may have a minute, 0 for no limit; likewise per client */
    FailureThrottle(int perMinuteAndAddress, int perMinuteAndClient) {
        this.perMinuteAndAddress = perMinuteAndAddress;
        this.perMinuteAndClient = perMinuteAndClient;
    }

    /** How long {@code address} must wait before it is heard again; empty when it may send now. */
    Optional<Duration> addressWait(String address) {
        if (perMinuteAndAddress <= 0 || address == null) {
            return Optional.empty();
        }
        Bucket bucket = buckets.getIfPresent("a " + address);
        return bucket == null ? Optional.empty() : bucket.waitForOne();
    }

    /**
     * Counts a failed authentication of {@code clientId} (as sent; may be null) in {@code realmId} from
     * {@code address}; returns how long to wait when the client had no failure left, so that this one is
     * answered 429 rather than recorded.
     */
    Optional<Duration> failed(String address, String realmId, String clientId) {
        if (perMinuteAndAddress > 0 && address != null) {
            buckets.get("a " + address, k -> new Bucket(perMinuteAndAddress)).take();
        }
        if (perMinuteAndClient <= 0 || clientId == null) {
            return Optional.empty();
        }
        // Bounded: a client id is at most what a request body carries, and keys leave when idle.
        String key = "c " + realmId + " " + (clientId.length() > 255 ? clientId.substring(0, 255) : clientId);
        Bucket bucket = buckets.get(key, k -> new Bucket(perMinuteAndClient));
        return bucket.take() ? Optional.empty() : bucket.waitForOne();
    }

    /** Up to {@code capacity} tokens, {@code capacity} a minute back. */
    static final class Bucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long at = System.nanoTime();

        Bucket(int perMinute) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.tokens = perMinute;
        }

        /** Takes a token; false when there was none (nothing is taken then). */
        synchronized boolean take() {
            refill();
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized Optional<Duration> waitForOne() {
            refill();
            if (tokens >= 1) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano)));
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - at) * perNano);
            at = now;
        }
    }
}
