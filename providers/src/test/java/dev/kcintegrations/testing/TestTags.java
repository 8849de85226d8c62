package dev.kcintegrations.testing;

/**
 * The kinds of integration test class, as JUnit tags: {@code -Dgroups=shared-server} runs only the classes a
 * running {@code ./run-demo.sh} can serve, {@code -DexcludedGroups=cluster} leaves out the two-node ones.
 * With {@code -DforkCount=N} failsafe runs classes in N JVMs at once: each JVM has its own shared server, and
 * classes of every kind start their own servers in their own run directories, so any two classes can run side
 * by side (on a machine with the cores for it; {@code providers/pom.xml} says why the build uses one).
 */
public final class TestTags {

    /** Classes on the one server every such class of a JVM shares ({@link KeycloakIntegrationTest}). */
    public static final String SHARED_SERVER = "shared-server";
    /** Classes that start a server of their own ({@link OwnServerTest}). */
    public static final String OWN_SERVER = "own-server";
    /** Classes that start a two-node cluster ({@link ClusterTest}). */
    public static final String CLUSTER = "cluster";

    private TestTags() {
    }
}
