package dev.kcintegrations.events.lanes;

import dev.kcintegrations.events.config.WebhookSettings;
import dev.kcintegrations.events.sender.WebhookSender;

import java.util.concurrent.ExecutorService;

/**
 * What a lane needs of the node around it, and nothing more: the scheduler gives it in production, a unit test an
 * in-memory one (LaneTest), so a lane's ordering and its reaction to a lost lease are tested in milliseconds.
 */
interface LaneContext {

    WebhookSettings settings();

    /** False once the node stops: lanes finish what is on the wire and give their subscriptions back. */
    boolean running();

    /** Whether subscriptions wait for a lane: a lane that served its quantum then yields. */
    boolean othersWaiting();

    /** Reads of the queue and of the subscriber's rights, at the lane's edge of the store. */
    LaneStore store();

    /** Where outcomes go: the group commit, which renews the lease fenced on it and answers committed or lost. */
    LaneOutcomes outcomes();

    WebhookSender sender();

    /** Runs each POST on a thread of its own. */
    ExecutorService sends();

    /** The node's budget of POSTs on the wire, shared by all its lanes. */
    ConnectionPermits connections();

    SignatureCache signatures();

    /** The lane ended (its subscription given back, or lost). */
    void laneEnded(Lane lane);
}
