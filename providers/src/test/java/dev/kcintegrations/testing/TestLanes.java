package dev.kcintegrations.testing;

/**
 * The three lanes integration test classes run in, at the same time: a class in each, one class per lane at a
 * time (failsafe's JUnit configuration in {@code providers/pom.xml} runs classes concurrently; the lanes are
 * JUnit resource locks). Most of a delivery test's time is spent waiting for a retry, a lease or a
 * receiver, so three lanes fit two cores. The names are also JUnit tags: {@code -Dgroups=shared-server}
 * runs only the classes a running {@code ./run-demo.sh} can serve.
 */
public final class TestLanes {

    /** Classes on the one server every such class shares ({@link KeycloakIntegrationTest}). */
    public static final String SHARED_SERVER = "shared-server";
    /** Classes that start a server of their own ({@link OwnServerTest}). */
    public static final String OWN_SERVER = "own-server";
    /** Classes that start a two-node cluster ({@link ClusterTest}). */
    public static final String CLUSTER = "cluster";

    private TestLanes() {
    }
}
