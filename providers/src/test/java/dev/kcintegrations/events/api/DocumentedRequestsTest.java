package dev.kcintegrations.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request bodies the documentation tells readers to send are ones the server takes: every JSON body of a
 * {@code curl -d '…'} in README and docs/*.md is JSON, every subscription among them is accepted by the same parser
 * {@code PUT /subscriptions/webhook} uses, and the refusals the walk-through quotes are the ones that parser gives.
 * (The walk-through's answers themselves are abbreviated with … and are checked against the server by the ITs.)
 */
class DocumentedRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BODY = Pattern.compile("(?:-d|--data(?:-raw)?) '(\\{[^']*})'");
    private static final Pattern QUOTED_REFUSAL = Pattern.compile("^# \\{\"statusCode\":400,\"message\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Test
    void everyDocumentedJsonBodyParsesAndEverySubscriptionIsAccepted() throws IOException {
        List<String> bodies = bodies();
        assertTrue(bodies.size() >= 5, "the docs have their request examples: " + bodies);
        int subscriptions = 0;
        for (String body : bodies) {
            JsonNode json = JSON.readTree(body); // throws, naming the body, on a typo
            if (json.has("webHookConfig")) {
                subscriptions++;
                SubscriptionRequest request = SubscriptionRequest.parse(body.getBytes(StandardCharsets.UTF_8));
                assertEquals(json.get("id").asText(), request.id(), body);
            }
        }
        assertTrue(subscriptions >= 2, "the walk-through subscribes (ess and cloudevents): " + bodies);
    }

    /** The walk-through quotes two refusals of a setting; each is what the parser answers to that setting. */
    @Test
    void theRefusalsTheWalkThroughQuotesAreTheParsersOwn() throws IOException {
        List<String> quoted = new ArrayList<>();
        for (String line : Files.readAllLines(root().resolve("docs/integration-developers.md"))) {
            Matcher refusal = QUOTED_REFUSAL.matcher(line);
            if (refusal.find()) {
                quoted.add(JSON.readValue("\"" + refusal.group(1) + "\"", String.class));
            }
        }
        String batched = bodies().stream().filter(b -> b.contains("\"batch\"")).findFirst().orElseThrow();
        ObjectNode unknownSetting = (ObjectNode) JSON.readTree(batched);
        ((ObjectNode) unknownSetting.get("webHookConfig")).put("orderBy", "user");
        ObjectNode batchOnEss = (ObjectNode) JSON.readTree(batched);
        ((ObjectNode) batchOnEss.get("webHookConfig")).put("format", "ess");
        assertEquals(List.of(refusal(unknownSetting), refusal(batchOnEss)), quoted);
    }

    private static String refusal(JsonNode body) {
        ApiFailure failure = assertThrows(ApiFailure.class, () -> SubscriptionRequest.parse(body.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, failure.status, failure.getMessage());
        return failure.getMessage();
    }

    private static List<String> bodies() throws IOException {
        List<String> bodies = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(root().resolve("README.md")));
        try (Stream<Path> docs = Files.list(root().resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path file : files) {
            Matcher body = BODY.matcher(Files.readString(file));
            while (body.find()) {
                bodies.add(body.group(1));
            }
        }
        return bodies;
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(".ci/run"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Run from inside the repository");
        }
        return dir;
    }
}
