package dev.kcintegrations.events.lifecycle;

import dev.kcintegrations.events.config.BodyFormat;
import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.config.WebhookTargetPolicy;
import dev.kcintegrations.events.sender.ClientIdentity;
import dev.kcintegrations.events.sender.SendResult;
import dev.kcintegrations.events.sender.WebhookSender;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The endpoint verifications of this node. A subscription save calls a stranger's endpoint inside an API
 * request, so it is bounded on every side: its own small HTTP client (the deliveries' connections are never
 * taken by it: 64 saves to endpoints that never answered made other applications' deliveries minutes late),
 * one verification in flight per application, at most {@code max-concurrent-verifications} in all, and
 * {@code verifications-per-minute} per application (saving an existing id calls the endpoint too). What
 * exceeds a bound is refused at once with {@code 429} and {@code Retry-After}, before anything is signed.
 */
public final class Verifications implements Closeable {

    private final WebhookSender sender;
    private final WebhookSettings settings;
    private final Semaphore slots;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final PerMinuteLimiter perApplication = new PerMinuteLimiter();

    public Verifications(WebhookSettings settings) {
        this.settings = settings;
        int concurrent = Math.max(1, settings.maxConcurrentVerifications());
        this.sender = new WebhookSender(settings.connectTimeout(), settings.readTimeout(), settings.attemptTimeout(), concurrent);
        this.slots = new Semaphore(concurrent);
    }

    /** A verification allowed to run: send through it once, then close it. */
    public final class Pass implements AutoCloseable {
        private final String applicationId;
        private boolean closed;

        private Pass(String applicationId) {
            this.applicationId = applicationId;
        }

        public SendResult send(WebhookTargetPolicy policy, String endpoint, BodyFormat format, byte[] body, Map<String, String> headers,
                               ClientIdentity identity) {
            return sender.send(policy, endpoint, format, body, headers, identity);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                slots.release();
                inFlight.remove(applicationId);
            }
        }
    }

    /** A pass for one verification of {@code applicationId}, or a {@link SubscriptionLifecycle.Refused} of kind TOO_MANY. */
    Pass enter(String applicationId) {
        long busy = Math.max(1, settings.attemptTimeout().toSeconds());
        if (!inFlight.add(applicationId)) {
            throw SubscriptionLifecycle.Refused.tooMany("A subscription of this application is being verified; save one at a time", busy);
        }
        if (!slots.tryAcquire()) {
            inFlight.remove(applicationId);
            throw SubscriptionLifecycle.Refused.tooMany("The server is verifying as many endpoints as it may at once; try again later", busy);
        }
        long wait = perApplication.secondsToWait(applicationId, settings.verificationsPerMinute(), System.currentTimeMillis());
        if (wait > 0) {
            slots.release();
            inFlight.remove(applicationId);
            throw SubscriptionLifecycle.Refused.tooMany("At most " + settings.verificationsPerMinute()
                    + " subscription saves (each verifies the endpoint) a minute; try again in " + wait + " s", wait);
        }
        return new Pass(applicationId);
    }

    @Override
    public void close() throws IOException {
        sender.close();
    }
}
