package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.store.PendingDelivery;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which row goes next: one per key on the wire, each key in queue order, a retry holding only its own key. */
class KeyScheduleTest {

    private static PendingDelivery row(int seq, String key) {
        return row(seq, key, 0);
    }

    private static PendingDelivery row(int seq, String key, long nextAttemptAt) {
        return new PendingDelivery("d" + seq, "e" + seq, "c", key, "{}", null, null, null, 0, 0, nextAttemptAt);
    }

    private static KeySchedule bySubject() {
        return new KeySchedule(PendingDelivery::orderKey);
    }

    @Test
    void oneRowPerKeyIsOnTheWireAndEachKeyGoesInQueueOrder() {
        KeySchedule schedule = bySubject();
        schedule.refill(List.of(row(1, "users/a"), row(2, "users/a"), row(3, "users/b"), row(4, "users/c"), row(5, "users/b")), Map.of());
        assertEquals("d1", schedule.next(0).id());
        assertEquals("d3", schedule.next(0).id(), "a is on the wire: b's head goes");
        assertEquals("d4", schedule.next(0).id());
        assertNull(schedule.next(0), "every key with rows is on the wire");
        schedule.completed(row(3, "users/b"), null);
        assertEquals("d5", schedule.next(0).id());
        schedule.completed(row(1, "users/a"), null);
        assertEquals("d2", schedule.next(0).id());
    }

    @Test
    void aRetryHoldsOnlyItsKeyAndDropsItsBufferedRowsToBeReadAgainBehindIt() {
        KeySchedule schedule = bySubject();
        schedule.refill(List.of(row(1, "users/a"), row(2, "users/a"), row(3, "users/b"), row(4, "users/b")), Map.of());
        PendingDelivery failing = schedule.next(0);
        assertEquals("d3", schedule.next(0).id());
        schedule.completed(failing, 5_000L);
        assertNull(schedule.next(0), "a's next row does not overtake the one that failed");
        schedule.completed(row(3, "users/b"), null);
        assertEquals("d4", schedule.next(0).id(), "b keeps flowing");
        Set<String> unflushed = new HashSet<>(Set.of("d1"));
        assertEquals(Set.of("users/a"), schedule.skipKeys(1_000, unflushed::contains),
                "a held; b on the wire is read, its next rows wait in the buffer");
        assertTrue(schedule.skipKeys(6_000, unflushed::contains).contains("users/a"),
                "held past its retry while its outcome is not written: a read would return its successor first");
        unflushed.clear();
        assertFalse(schedule.skipKeys(6_000, unflushed::contains).contains("users/a"), "written and due: read again, head first");
    }

    @Test
    void aKeyTheStoreHoldsIsSkippedUntilDueAndABufferedRowNotYetDueHoldsItsKey() {
        KeySchedule schedule = bySubject();
        schedule.refill(List.of(row(1, "users/a", 9_000), row(2, "users/a"), row(3, "users/b")), Map.of("users/c", 7_000L));
        assertEquals("d3", schedule.next(1_000).id(), "a's head waits until 9000, and a's second row with it");
        assertNull(schedule.next(1_000));
        assertEquals(2, schedule.heldKeys(1_000));
        assertEquals(7_000, schedule.earliestHeld(1_000));
        assertEquals(Set.of("users/a", "users/c"), schedule.skipKeys(1_000, id -> false), "held: a by its head, c by the store");
    }

    @Test
    void withOneKeyForAllRowsItIsTheTotalOrder() {
        KeySchedule schedule = new KeySchedule(row -> PendingDelivery.NO_ORDER_KEY);
        schedule.refill(List.of(row(1, "users/a"), row(2, "users/b")), Map.of());
        PendingDelivery first = schedule.next(0);
        assertNull(schedule.next(0), "one POST on the wire, whatever the subjects");
        schedule.completed(first, 5_000L);
        assertNull(schedule.next(0), "a retried head holds everything");
        assertFalse(schedule.buffered());
    }

    @Test
    void aBatchTakesRowsOfFreeKeysInQueueOrderAndAKeyStopsAtARowThatCannotJoin() {
        KeySchedule schedule = bySubject();
        PendingDelivery essRow = new PendingDelivery("d3", "e3", "c", "users/a", "{}", "ess", null, null, 0, 0, 0);
        schedule.refill(List.of(row(1, "users/a"), row(2, "users/b"), essRow, row(4, "users/a"), row(5, "users/c"), row(6, "users/b")),
                Map.of());
        List<PendingDelivery> batch = schedule.nextBatch(0, 10, r -> !"ess".equals(r.format()));
        assertEquals(List.of("d1", "d2", "d5", "d6"), batch.stream().map(PendingDelivery::id).toList(),
                "a's ess row cannot join, so a's later row waits for it too");
        assertNull(schedule.next(0), "every key of the batch is on the wire");
        batch.forEach(r -> schedule.completed(r, null));
        assertEquals("d3", schedule.next(0).id(), "the ess row goes alone, before a's next");
    }

    @Test
    void aBatchIsAtMostMaxAndCanBePutBackToWaitForMore() {
        KeySchedule schedule = new KeySchedule(row -> PendingDelivery.NO_ORDER_KEY);
        schedule.refill(List.of(row(1, "x"), row(2, "y"), row(3, "z")), Map.of());
        List<PendingDelivery> batch = schedule.nextBatch(0, 2, r -> true);
        assertEquals(List.of("d1", "d2"), batch.stream().map(PendingDelivery::id).toList(), "with one key for all: the head and the next, in order");
        schedule.putBack(batch);
        assertEquals(List.of("d1", "d2", "d3"), schedule.nextBatch(0, 5, r -> true).stream().map(PendingDelivery::id).toList());
    }

    /**
     * Many keys, random outcomes, rows read in pieces as a lane reads them: the receiver never has two rows of
     * one key at once, sees each key's rows in queue order (a retried row comes again before its successors),
     * and every row is delivered.
     */
    @Property(tries = 200)
    void underRandomOutcomesEachKeyIsDeliveredInOrderAndOneAtATime(@ForAll @IntRange(min = 1, max = 12) int keys,
                                                                    @ForAll @IntRange(min = 1, max = 16) int window,
                                                                    @ForAll long seed) {
        Random random = new Random(seed);
        List<PendingDelivery> queue = new ArrayList<>(); // the store's PENDING rows, in queue order
        for (int seq = 0; seq < 120; seq++) {
            queue.add(row(seq, "k" + random.nextInt(keys)));
        }
        Map<String, Long> retryAt = new HashMap<>();          // the store's next attempt of a retried row
        Map<String, List<Integer>> delivered = new LinkedHashMap<>();
        Set<String> unflushed = new HashSet<>();
        List<PendingDelivery> onTheWire = new ArrayList<>();
        KeySchedule schedule = bySubject();
        long now = 0;
        for (int step = 0; step < 20_000 && !queue.isEmpty(); step++) {
            now += 10;
            if (random.nextInt(4) == 0) {
                // The group commit wrote what came back; a row on the wire has no outcome to write yet.
                unflushed.removeIf(id -> onTheWire.stream().noneMatch(wire -> wire.id().equals(id)));
            }
            PendingDelivery next = onTheWire.size() < window ? schedule.next(now) : null; // as the lane: only with room
            if (next == null && onTheWire.size() < window) {
                Set<String> skip = schedule.skipKeys(now, unflushed::contains);
                Map<String, Long> held = new HashMap<>();
                List<PendingDelivery> read = new ArrayList<>();
                for (PendingDelivery pending : queue) {
                    long at = retryAt.getOrDefault(pending.id(), 0L);
                    if (at > now) {
                        held.merge(pending.orderKey(), at, Math::min);
                    }
                }
                for (PendingDelivery pending : queue) {
                    if (read.size() < 8 && !unflushed.contains(pending.id()) && !skip.contains(pending.orderKey())
                            && !held.containsKey(pending.orderKey())) {
                        read.add(row(Integer.parseInt(pending.id().substring(1)), pending.orderKey(), retryAt.getOrDefault(pending.id(), 0L)));
                    }
                }
                schedule.refill(read, held);
                next = schedule.next(now);
            }
            if (next != null) {
                PendingDelivery sent = next;
                for (PendingDelivery wire : onTheWire) {
                    assertFalse(wire.orderKey().equals(sent.orderKey()), "two rows of " + sent.orderKey() + " on the wire");
                }
                PendingDelivery head = queue.stream().filter(p -> p.orderKey().equals(sent.orderKey())).findFirst().orElseThrow();
                assertEquals(head.id(), sent.id(), "a row of " + sent.orderKey() + " overtook its key's head");
                onTheWire.add(sent);
                unflushed.add(sent.id());
                continue;
            }
            if (!onTheWire.isEmpty()) {
                PendingDelivery done = onTheWire.remove(random.nextInt(onTheWire.size()));
                if (random.nextInt(5) == 0) {
                    long at = now + 50;
                    retryAt.put(done.id(), at);
                    schedule.completed(done, at);
                } else {
                    queue.removeIf(p -> p.id().equals(done.id()));
                    delivered.computeIfAbsent(done.orderKey(), k -> new ArrayList<>()).add(Integer.parseInt(done.id().substring(1)));
                    schedule.completed(done, null);
                }
            }
        }
        long end = now;
        assertTrue(queue.isEmpty(), () -> "every row delivered; left: " + queue.size() + " " + schedule + " on the wire: " + onTheWire
                + " at " + end);
        delivered.forEach((key, seqs) -> {
            List<Integer> sorted = new ArrayList<>(seqs);
            sorted.sort(Integer::compare);
            assertEquals(sorted, seqs, key + " in queue order");
        });
    }
}
