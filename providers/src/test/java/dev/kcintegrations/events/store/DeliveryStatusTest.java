package dev.kcintegrations.events.store;

import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.kcintegrations.events.store.DeliveryStatus.CANCELLED;
import static dev.kcintegrations.events.store.DeliveryStatus.DELIVERED;
import static dev.kcintegrations.events.store.DeliveryStatus.PARKED;
import static dev.kcintegrations.events.store.DeliveryStatus.PENDING;
import static dev.kcintegrations.events.store.DeliveryStatus.REJECTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delivery state machine, and the queries that move rows along it without the entity. */
class DeliveryStatusTest {

    @Test
    void aPendingDeliveryEndsOneWayAndOnlyAFinishedOneNotCancelledIsQueuedAgain() {
        assertEquals(List.of(DELIVERED, REJECTED, PARKED, CANCELLED), moves(PENDING));
        assertEquals(List.of(PENDING), moves(DELIVERED));
        assertEquals(List.of(PENDING), moves(REJECTED));
        assertEquals(List.of(PENDING), moves(PARKED));
        assertEquals(List.of(), moves(CANCELLED));
        assertEquals(List.of(DELIVERED, REJECTED, PARKED), Arrays.stream(DeliveryStatus.values()).filter(DeliveryStatus::requeueable).toList());
    }

    private static List<DeliveryStatus> moves(DeliveryStatus from) {
        return Arrays.stream(DeliveryStatus.values()).filter(from::canBecome).toList();
    }

    @Test
    void anEntityRefusesAMoveOffTheTable() {
        DeliveryEntity row = new DeliveryEntity();
        row.moveTo(PENDING);
        row.moveTo(CANCELLED);
        assertThrows(IllegalStateException.class, () -> row.moveTo(PENDING));
        assertEquals(CANCELLED, row.getStatus());
    }

    @Test
    void statusesParseInAnyCaseAndNothingElse() {
        assertEquals(Optional.of(PARKED), DeliveryStatus.parse(" parked "));
        assertEquals(Optional.empty(), DeliveryStatus.parse("PARKED;DROP"));
        assertEquals(Optional.empty(), DeliveryStatus.parse(""));
    }

    @Test
    void everyStatusLiteralOfTheOutboxQueriesIsAStatusName() { // or the name of why a subscription is blocked
        Set<String> names = new HashSet<>();
        Arrays.stream(DeliveryStatus.values()).forEach(s -> names.add(s.name()));
        Arrays.stream(SubscriptionStatus.values()).forEach(s -> names.add(s.name()));
        Arrays.stream(BlockedBy.values()).forEach(s -> names.add(s.name())); // the other enum a query compares with a literal
        Pattern literal = Pattern.compile("'([A-Z_]+)'");
        int seen = 0;
        for (Class<?> entity : List.of(DeliveryEntity.class, SubscriptionEntity.class, AttemptEntity.class)) {
            NamedQueries queries = entity.getAnnotation(NamedQueries.class);
            for (NamedQuery query : queries == null ? new NamedQuery[0] : queries.value()) {
                Matcher m = literal.matcher(query.query());
                while (m.find()) {
                    seen++;
                    assertTrue(names.contains(m.group(1)), query.name() + " uses '" + m.group(1) + "', which is no status");
                }
            }
        }
        assertTrue(seen > 10, "the check saw the queries' literals: " + seen);
    }

    @Test
    void aBulkFinishOnlyEndsPendingRows() {
        for (String name : Stream.of("KciDelivery.finishMany", "KciDelivery.cancelPending", "KciDelivery.parkExpired",
                "KciDelivery.cancelPendingOfApplication").toList()) {
            String query = Arrays.stream(DeliveryEntity.class.getAnnotation(NamedQueries.class).value())
                    .filter(q -> q.name().equals(name)).findFirst().orElseThrow().query();
            assertTrue(query.contains("d.status = 'PENDING'"), name + " must end only PENDING rows: " + query);
        }
    }
}
