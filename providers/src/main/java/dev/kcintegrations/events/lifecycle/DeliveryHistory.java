package dev.kcintegrations.events.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.store.AttemptEntity;
import dev.kcintegrations.events.store.DeliveryEntity;
import dev.kcintegrations.events.store.DeliveryQueries;
import dev.kcintegrations.events.store.DeliveryStatus;
import dev.kcintegrations.events.store.Outbox;
import dev.kcintegrations.events.store.PendingDelivery;
import org.keycloak.models.KeycloakSession;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A subscription's deliveries, one page at a time, as both APIs list them: newest first, each with its attempts,
 * paged by a cursor (the last row's capture sequence and id) so that rows captured while someone pages never shift
 * a page, as an offset would. {@code events/v4} and the administrators' resource differ only in the filters they
 * offer (a capture window is the administrators').
 */
public final class DeliveryHistory {

    public static final int MAX_PAGE = 100;
    /** A page's nextCursor: the last row's sequence and id. */
    private static final Pattern CURSOR = Pattern.compile("([0-9]{1,18})\\.([0-9a-f-]{36})");

    private final KeycloakSession session;

    public DeliveryHistory(KeycloakSession session) {
        this.session = session;
    }

    /** How many rows of each subscription wait, and since when (subscriptions with none are absent). */
    public Map<String, DeliveryQueries.Backlog> backlogs(List<String> subscriptionIds) {
        return new Outbox(session).queries().backlogs(subscriptionIds);
    }

    /** The subscription's rows captured in [from, to), counted per status in buckets {@code bucketMillis} wide. */
    public List<DeliveryQueries.ActivityCount> activity(String subscriptionId, long fromMillis, long toMillis, long bucketMillis) {
        return new Outbox(session).queries().activity(subscriptionId, fromMillis, toMillis, bucketMillis);
    }

    /**
     * An order key held by a failing event: the event waits for its retry at {@code nextAttemptAt}, and the key's
     * later events wait behind it; every other key keeps flowing. Times are RFC 3339 UTC.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeldKey(String key, String deliveryId, String eventId, String eventType, int attempts, String nextAttemptAt,
                          Integer lastHttpStatus, String lastError) {
    }

    /** The keys held now, the soonest due first, at most {@code max}. */
    public List<HeldKey> heldKeys(String subscriptionId, long now, int max) {
        return new Outbox(session).queries().heldRows(subscriptionId, now, max).stream()
                .map(row -> new HeldKey(row.getOrderKey() == null ? PendingDelivery.NO_ORDER_KEY : row.getOrderKey(), row.getId(),
                        row.getEventId(), row.getEventType(), row.getAttempts(), Instant.ofEpochMilli(row.getNextAttemptAt()).toString(),
                        row.getLastHttpStatus(), row.getLastError()))
                .toList();
    }

    /** What to list: one status or all ({@code null}), captured in [{@code from}, {@code to}]. */
    public record Filter(DeliveryStatus status, Instant from, Instant to) {
        public static final Filter ALL = new Filter(null, Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE / 1_000_000));
    }

    /** One page, newest first; {@code nextCursor} (absent on the last page) asks for the next with {@code cursor}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page(List<DeliveryView> deliveries, String nextCursor) {
    }

    /**
     * @param cursor the {@code nextCursor} of the previous page, or {@code null} for the first
     * @param limit  1 to {@value #MAX_PAGE}
     * @throws SubscriptionLifecycle.Refused INVALID for a cursor no page gave
     */
    public Page page(String subscriptionId, Filter filter, String cursor, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new SubscriptionLifecycle.Refused(SubscriptionLifecycle.Refused.Kind.INVALID, "limit must be from 1 to " + MAX_PAGE);
        }
        long beforeSeq = Long.MAX_VALUE;
        String beforeId = "";
        if (cursor != null) {
            Matcher parts = CURSOR.matcher(cursor);
            if (!parts.matches()) {
                throw new SubscriptionLifecycle.Refused(SubscriptionLifecycle.Refused.Kind.INVALID, "cursor must be the nextCursor of a previous page");
            }
            beforeSeq = Long.parseLong(parts.group(1));
            beforeId = parts.group(2);
        }
        Outbox outbox = new Outbox(session);
        // A capture time names every row captured in its millisecond: the sequence's last three digits.
        List<DeliveryEntity> read = outbox.queries().deliveries(subscriptionId, filter.status(), DeliveryQueries.sequenceAt(filter.from().toEpochMilli()),
                DeliveryQueries.sequenceAt(filter.to().toEpochMilli()) + 999, beforeSeq, beforeId, limit + 1);
        List<DeliveryEntity> rows = read.subList(0, Math.min(limit, read.size()));
        Map<String, List<AttemptEntity>> attempts = outbox.queries().attempts(rows.stream().map(DeliveryEntity::getId).toList()).stream()
                .collect(Collectors.groupingBy(AttemptEntity::getDeliveryId));
        DeliveryEntity last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        return new Page(rows.stream().map(row -> DeliveryView.of(row, attempts.getOrDefault(row.getId(), List.of()))).toList(),
                read.size() > limit ? last.getSeq() + "." + last.getId() : null);
    }
}
