package dev.kcintegrations.events.config;

/**
 * A {@code cloudevents} subscription's batches: one POST carries up to {@code maxEvents} events as a JSON array
 * of CloudEvents ({@code application/cloudevents-batch+json}, the CloudEvents JSON format's batch mode), in
 * queue order; a batch that is not full goes once its oldest event has waited {@code maxWaitMs}.
 */
public record Batching(int maxEvents, int maxWaitMs) {

    public static final int MAX_EVENTS = 100;
    public static final int MAX_WAIT_MS = 10_000;
    /** The Content-Type of a batch: the CloudEvents SDKs look the batch mode up by it. */
    public static final String CONTENT_TYPE = "application/cloudevents-batch+json; charset=utf-8";

    public Batching {
        if (maxEvents < 1 || maxEvents > MAX_EVENTS || maxWaitMs < 0 || maxWaitMs > MAX_WAIT_MS) {
            throw new IllegalArgumentException("maxEvents must be 1-" + MAX_EVENTS + " and maxWaitMs 0-" + MAX_WAIT_MS);
        }
    }
}
