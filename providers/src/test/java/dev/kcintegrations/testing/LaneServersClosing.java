package dev.kcintegrations.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the lanes' servers when the whole run ends, after every engine: JUnit Jupiter's classes and then jqwik's
 * properties use the same servers ({@link KeycloakServers#ofLane}). Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class LaneServersClosing implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        KeycloakServers.closeLanes();
    }
}
