package dev.kcintegrations.events.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CloudEvents batch: the events' bodies unchanged in one array, under an id made from theirs. */
class BatchBodyTest {

    @Test
    void theBodyIsTheEventsUnchangedInOrderAsOneJsonArray() throws Exception {
        String first = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"type\":\"t\",\"source\":\"s\",\"data\":{\"a\":\"ä\"}}";
        String second = "{\"specversion\":\"1.0\",\"id\":\"e2\",\"type\":\"t\",\"source\":\"s\"}";
        BatchBody batch = BatchBody.of(List.of("e1", "e2"), List.of(first, second));
        JsonNode array = new ObjectMapper().readTree(batch.body());
        assertTrue(array.isArray());
        assertEquals(new ObjectMapper().readTree(first), array.get(0));
        assertEquals(new ObjectMapper().readTree(second), array.get(1));
        assertEquals("[" + first + "," + second + "]", new String(batch.body(), StandardCharsets.UTF_8), "byte for byte as captured");
    }

    @Test
    void theSameEventsMakeTheSameIdAndOthersAnother() {
        String id = BatchBody.of(List.of("e1", "e2"), List.of("{}", "{}")).id();
        assertTrue(id.matches("batch_[A-Za-z0-9_-]{22}"), id);
        assertEquals(id, BatchBody.of(List.of("e1", "e2"), List.of("{}", "{}")).id());
        assertNotEquals(id, BatchBody.of(List.of("e2", "e1"), List.of("{}", "{}")).id());
        assertNotEquals(id, BatchBody.of(List.of("e1"), List.of("{}")).id());
    }

    @Test
    void aBatchHasOneIdPerEventAndAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> BatchBody.of(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> BatchBody.of(List.of("e1"), List.of("{}", "{}")));
    }
}
