package dev.kcintegrations.events.sender;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * A CloudEvents batch (the JSON format's batch mode): the events' own bodies, unchanged and in queue order, as
 * one JSON array. It is signed as one body — Standard Webhooks over {@code id.timestamp.body}, and a
 * {@code Concur-Signature} JWS — under an id made from its events' ids: the same events make the same id, so a
 * receiver that saw the batch can tell; each event keeps its own {@code id} to de-duplicate by.
 */
public record BatchBody(String id, byte[] body) {

    /** @param eventIds the events' ids, in the batch's order; {@code payloads} their JSON bodies, in the same order */
    public static BatchBody of(List<String> eventIds, List<String> payloads) {
        if (eventIds.isEmpty() || eventIds.size() != payloads.size()) {
            throw new IllegalArgumentException("a batch has one id per event, and at least one event");
        }
        return new BatchBody(idOf(eventIds), ("[" + String.join(",", payloads) + "]").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code batch_} and 22 characters of the SHA-256 of the ids: unique enough, and stable for the same events. */
    static String idOf(List<String> eventIds) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join(",", eventIds).getBytes(StandardCharsets.UTF_8));
            return "batch_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
