package dev.kcintegrations.testing;

/**
 * The kinds of integration test class, as JUnit tags: {@code -Dgroups=shared-server} runs only the classes a
 * running {@code ./run-demo.sh} can serve, {@code -DexcludedGroups=cluster} leaves out the two-node ones.
 *
 * <p>The kinds are also lanes. In one JVM, the shared-server classes run one after another (each cleans the demo
 * realm of what it made, so two at once would clean each other's), while the cluster classes, the own-server
 * classes and the browser classes each run, one at a time, beside them ({@code @Execution(CONCURRENT)} with a
 * {@code @ResourceLock} per kind; {@code junit-platform.properties} enables it). The browser lane has a shared server
 * of its own, so its cleaning touches no other lane's. The side lanes mostly wait (a lease, a retention, a killed
 * node, a browser), so on two cores four lanes take about the time of the longest instead of the sum.
 * With {@code -DforkCount=N} failsafe also runs classes in N JVMs at once, each with its own shared server.
 */
public final class TestTags {

    /** Classes on the one server every such class of a JVM shares ({@link KeycloakIntegrationTest}). */
    public static final String SHARED_SERVER = "shared-server";
    /** Classes that start a server of their own ({@link OwnServerTest}). */
    public static final String OWN_SERVER = "own-server";
    /** Classes that drive Chromium, on a shared server of their lane's own ({@link BrowserTest}); also shared-server. */
    public static final String BROWSER = "browser";
    /** Classes that start a two-node cluster ({@link ClusterTest}). */
    public static final String CLUSTER = "cluster";

    private TestTags() {
    }
}
