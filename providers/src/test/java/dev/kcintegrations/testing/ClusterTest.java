package dev.kcintegrations.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that starts a two-node cluster on PostgreSQL ({@link KeycloakCluster}). Such classes
 * run one at a time, beside the shared-server and own-server classes (see {@link TestLanes}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TestLanes.CLUSTER)
@ResourceLock(TestLanes.CLUSTER)
public @interface ClusterTest {
}
