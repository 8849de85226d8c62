package dev.kcintegrations.plugin;

/** A refused plugin call: which error, and what the administrator's event and log may say about it. */
final class PluginFailure extends RuntimeException {

    private final PluginError error;
    private final String reason;

    PluginFailure(PluginError error, String reason) {
        super(error + ": " + reason, null, false, false);
        this.error = error;
        this.reason = reason;
    }

    PluginError error() {
        return error;
    }

    String reason() {
        return reason;
    }
}
