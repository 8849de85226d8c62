package dev.kcintegrations.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that starts a server of its own (options the shared one must not have, or a crash).
 * Such classes run one at a time, beside the shared-server and cluster classes (see {@link TestLanes}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TestLanes.OWN_SERVER)
@ResourceLock(TestLanes.OWN_SERVER)
public @interface OwnServerTest {
}
