package dev.kcintegrations.events.store;

/**
 * Who disabled a subscription, which decides who may enable it: an administrator's stop holds until an
 * administrator lifts it; a receiver's (410 Gone) ends when the application saves the subscription again.
 */
public enum DisabledBy {
    ADMINISTRATOR, RECEIVER
}
