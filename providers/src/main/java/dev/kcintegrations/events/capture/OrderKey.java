package dev.kcintegrations.events.capture;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The subject whose events a {@code subject}-ordered subscription delivers in capture order, one at a time:
 * <ul>
 *   <li>a user event: the user ({@code users/<id>});</li>
 *   <li>an admin event: the resource, the first two segments of its path ({@code users/<id>},
 *   {@code clients/<id>}), so that a user's role mappings keep their order with the user's own changes;</li>
 *   <li>a test event whose facts carry a textual {@code userId}: that user;</li>
 *   <li>anything else: the event itself (it is ordered with nothing).</li>
 * </ul>
 * Stored on every row at capture, whatever the subscription's ordering, so that changing the ordering later
 * needs no rewrite. At most 255 characters: a longer one is its SHA-256.
 */
public final class OrderKey {

    static final int MAX_LENGTH = 255;

    private OrderKey() {
    }

    public static String of(EventPayload event) {
        return bounded(unbounded(event));
    }

    private static String unbounded(EventPayload event) {
        String subject = event.subject();
        if (subject != null && !subject.isBlank()) {
            String[] segments = subject.split("/", 3);
            return segments.length >= 2 && !segments[1].isEmpty() ? segments[0] + "/" + segments[1] : segments[0];
        }
        JsonNode userId = event.facts() == null ? null : event.facts().get("userId");
        if (userId != null && userId.isTextual() && !userId.asText().isEmpty()) {
            return "users/" + userId.asText();
        }
        return "events/" + event.id();
    }

    private static String bounded(String key) {
        if (key.length() <= MAX_LENGTH) {
            return key;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
