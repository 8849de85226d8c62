package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.store.PendingDelivery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which row a lane sends next so that each order key's rows reach the receiver one at a time, in queue order:
 * the first row of the last read whose key has nothing on the wire ("busy") and no row waiting for a retry
 * ("held"). Because a read returns the bottom of the queue, the rows of one key in it are that key's first
 * rows, so the row returned is its key's head. A retry holds its key at once, before its outcome is written:
 * the rows behind it are dropped from the buffer and come back, behind the retried row, from a later read.
 * Pure: the lane thread owns it; the database is read by the lane.
 */
final class KeySchedule {

    /** A key held by a retry this lane decided, until the later of its retry and the outcome being written. */
    private record Retried(String rowId, long until) {
    }

    private final Function<PendingDelivery, String> keyOf;
    private final List<PendingDelivery> buffer = new ArrayList<>();
    private final Set<String> busy = new HashSet<>();
    private final Map<String, Long> heldInStore = new HashMap<>();
    private final Map<String, Retried> retried = new HashMap<>();

    /** @param keyOf a row's order key ({@code subscription} ordering: one key for all rows) */
    KeySchedule(Function<PendingDelivery, String> keyOf) {
        this.keyOf = keyOf;
    }

    /** The key a row is scheduled by. */
    String keyOf(PendingDelivery row) {
        return keyOf.apply(row);
    }

    /**
     * A new read: {@code rows} in queue order (none of a key this schedule skips), and the keys the store
     * holds with when each is due. The buffer is replaced: rows of the old one are in the new read if they
     * are still to be sent.
     */
    void refill(List<PendingDelivery> rows, Map<String, Long> held) {
        buffer.clear();
        buffer.addAll(rows);
        heldInStore.clear();
        heldInStore.putAll(held);
    }

    /**
     * Keys a read should leave out: those held (their rows would only wait in the buffer; the read of the store's
     * held keys finds them again once due). Keys on the wire are read: their next rows wait in the buffer and go
     * as soon as the one on the wire comes back, without a read in between.
     *
     * @param unflushed whether a row's outcome is not yet written: until it is, a retried key stays held
     */
    Set<String> skipKeys(long now, Predicate<String> unflushed) {
        retried.values().removeIf(r -> r.until() <= now && !unflushed.test(r.rowId()));
        Set<String> skip = new HashSet<>(retried.keySet());
        heldInStore.values().removeIf(until -> until <= now);
        skip.addAll(heldInStore.keySet());
        return skip;
    }

    /**
     * The next row to send, taken out of the buffer and its key marked busy; null when every buffered row's
     * key is busy or held. A buffered row whose own retry is not due holds its key.
     */
    PendingDelivery next(long now) {
        Set<String> passed = null;
        for (Iterator<PendingDelivery> rows = buffer.iterator(); rows.hasNext(); ) {
            PendingDelivery row = rows.next();
            String key = keyOf.apply(row);
            if (busy.contains(key) || isHeld(key, now) || (passed != null && passed.contains(key))) {
                continue;
            }
            if (row.nextAttemptAt() > now) {
                passed = passed == null ? new HashSet<>() : passed;
                passed.add(key); // this row is its key's head: the key waits for it
                heldInStore.merge(key, row.nextAttemptAt(), Math::min);
                continue;
            }
            rows.remove();
            busy.add(key);
            return row;
        }
        return null;
    }

    /**
     * Up to {@code max} rows to send together, in queue order, their keys marked busy: the row {@link #next}
     * would return, and after it, if it is {@code batchable}, the next batchable rows whose keys are free or
     * already in the batch. A key stops joining once one of its rows could not (it is not batchable): its
     * later rows must not go before that one.
     */
    List<PendingDelivery> nextBatch(long now, int max, Predicate<PendingDelivery> batchable) {
        PendingDelivery first = next(now);
        if (first == null) {
            return List.of();
        }
        List<PendingDelivery> batch = new ArrayList<>();
        batch.add(first);
        if (!batchable.test(first)) {
            return batch;
        }
        Set<String> joined = new HashSet<>();
        joined.add(keyOf.apply(first));
        Set<String> stopped = new HashSet<>();
        for (Iterator<PendingDelivery> rows = buffer.iterator(); rows.hasNext() && batch.size() < max; ) {
            PendingDelivery row = rows.next();
            String key = keyOf.apply(row);
            if (stopped.contains(key) || (!joined.contains(key) && (busy.contains(key) || isHeld(key, now)))) {
                continue;
            }
            if (row.nextAttemptAt() > now || !batchable.test(row)) {
                stopped.add(key);
                continue;
            }
            rows.remove();
            joined.add(key);
            busy.add(key);
            batch.add(row);
        }
        return batch;
    }

    /** Rows taken by {@link #nextBatch} that are not sent after all (the batch waits to fill): back in front, keys free. */
    void putBack(List<PendingDelivery> rows) {
        buffer.addAll(0, rows);
        rows.forEach(row -> busy.remove(keyOf.apply(row)));
    }

    private boolean isHeld(String key, long now) {
        Long until = heldInStore.get(key);
        return retried.containsKey(key) || (until != null && until > now);
    }

    /**
     * A row's attempt ended. {@code retryAt} set (a retry): its key is held until then and at least until the
     * outcome is written, and its rows still buffered are dropped, to be read again behind it.
     */
    void completed(PendingDelivery row, Long retryAt) {
        String key = keyOf.apply(row);
        busy.remove(key);
        if (retryAt != null) {
            retried.put(key, new Retried(row.id(), retryAt));
            buffer.removeIf(other -> keyOf.apply(other).equals(key));
        }
    }

    /**
     * Rows of a second read, of keys the first left out only because its limit was reached with rows of
     * busy keys: appended, since no key is in both.
     */
    void append(List<PendingDelivery> rows) {
        buffer.addAll(rows);
    }

    /** Keys with rows in the buffer. */
    Set<String> bufferedKeys() {
        Set<String> keys = new HashSet<>();
        buffer.forEach(row -> keys.add(keyOf.apply(row)));
        return keys;
    }

    /** Whether the buffer still has rows (dispatchable or not). */
    boolean buffered() {
        return !buffer.isEmpty();
    }

    /** Keys with a row on the wire. */
    Set<String> busy() {
        return Set.copyOf(busy);
    }

    /** Keys held now (by the store or by this lane's retries). */
    int heldKeys(long now) {
        Set<String> held = new HashSet<>(retried.keySet());
        heldInStore.forEach((key, until) -> {
            if (until > now) {
                held.add(key);
            }
        });
        return held.size();
    }

    @Override
    public String toString() {
        return "KeySchedule[buffered=" + buffer.size() + ", busy=" + busy + ", held=" + heldInStore + ", retried=" + retried + "]";
    }

    /** The earliest moment a held key's row is due: when the lane, or the next claim, should look again. */
    long earliestHeld(long now) {
        long earliest = Long.MAX_VALUE;
        for (long until : heldInStore.values()) {
            if (until > now) {
                earliest = Math.min(earliest, until);
            }
        }
        for (Retried r : retried.values()) {
            earliest = Math.min(earliest, Math.max(r.until(), now));
        }
        return earliest;
    }
}
