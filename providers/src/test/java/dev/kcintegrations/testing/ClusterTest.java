package dev.kcintegrations.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that starts a two-node cluster on PostgreSQL ({@link KeycloakCluster}). Such classes run in a
 * lane of their own beside the others (see {@link TestTags}), one at a time: two clusters at once would be four
 * production nodes on two cores.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TestTags.CLUSTER)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestTags.CLUSTER)
public @interface ClusterTest {
}
