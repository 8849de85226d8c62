package dev.kcintegrations.plugin;

import java.util.concurrent.TimeUnit;

/** Server-wide options of the plugin API ({@code --spi-realm-restapi-extension--plugin-api--…}). */
record PluginApiSettings(int tokenLifespanSeconds, long timeoutMillis) {

    static final int DEFAULT_TOKEN_LIFESPAN = 3600;
    static final long DEFAULT_TIMEOUT_MILLIS = 15_000;

    long timeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }
}
