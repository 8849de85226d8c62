package dev.kcintegrations.events.capture;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kcintegrations.events.topics.EventTypeFilter;
import org.jboss.logging.Logger;

/**
 * The node's compiled subscription filters, keyed by subscription (its filter text checked on each use, so an
 * updated filter is compiled again) and bounded by <b>weight</b>, the instructions of the programs kept, not
 * by count: least recently used filters leave first, and a deleted subscription's filter is dropped when it
 * is deleted here or ages out on the other nodes. A stored filter that today's rules refuse (saved before
 * they existed) matches nothing and is logged once, never compiled.
 */
public final class CompiledFilters {

    private static final Logger LOG = Logger.getLogger(CompiledFilters.class);
    /** Instructions kept at most, about 20 MB at the worst; {@code .*} weighs 5, so thousands of ordinary filters fit. */
    static final long MAX_WEIGHT = 200_000;

    private record Entry(String source, EventTypeFilter filter) {
        int weight() {
            return filter == null ? 1 : Math.max(1, filter.weight());
        }
    }

    private static final Cache<String, Entry> CACHE = Caffeine.newBuilder()
            .maximumWeight(MAX_WEIGHT)
            .weigher((String id, Entry entry) -> entry.weight())
            .build();

    private CompiledFilters() {
    }

    /** Whether subscription {@code subscriptionId}, whose stored filter is {@code source}, wants {@code eventType}. */
    public static boolean matches(String subscriptionId, String source, String eventType) {
        Entry entry = CACHE.getIfPresent(subscriptionId);
        if (entry == null || !entry.source().equals(source)) {
            entry = compiled(subscriptionId, source);
            CACHE.put(subscriptionId, entry);
        }
        return entry.filter() != null && entry.filter().matches(eventType);
    }

    /** The subscription is gone or changed: its compiled filter is not kept for it. */
    public static void forget(String subscriptionId) {
        CACHE.invalidate(subscriptionId);
    }

    /** For tests and metrics: the instructions kept now. */
    static long weight() {
        CACHE.cleanUp();
        return CACHE.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    private static Entry compiled(String subscriptionId, String source) {
        try {
            return new Entry(source, EventTypeFilter.compile(source));
        } catch (EventTypeFilter.InvalidFilterException refused) {
            LOG.warnf("Webhook subscription %s has a stored filter that is refused today (%s); it matches no event until its"
                    + " application saves a new filter", subscriptionId, refused.getMessage());
            return new Entry(source, null);
        }
    }
}
