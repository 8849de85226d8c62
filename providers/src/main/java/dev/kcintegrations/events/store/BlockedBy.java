package dev.kcintegrations.events.store;

/**
 * Why a subscription is not claimable until its {@code BLOCKED_UNTIL}.
 * <ul>
 *   <li>{@code HEAD}: the head of its queue waits for a retry, and the queue behind it ({@code subscription}
 *   ordering), or the application may not receive now (any ordering). Only the wait's end lifts it.</li>
 *   <li>{@code KEYS}: every row left waits behind a subject held by a retry ({@code subject} ordering). A new
 *   capture lifts it: its subject may be free.</li>
 *   <li>{@code RECEIVER}: the receiver asked for a pause ({@code Retry-After} on a 429 or 503). Only the
 *   pause's end lifts it.</li>
 * </ul>
 */
public enum BlockedBy {
    HEAD, KEYS, RECEIVER
}
