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
 * Marks a test class that starts a server of its own (options the shared one must not have, or a crash). Such classes
 * run in a lane of their own beside the others (see {@link TestTags}), one at a time: most of their time is spent
 * waiting for what their short options make happen (a retention ending, a lease running out), not computing.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TestTags.OWN_SERVER)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestTags.OWN_SERVER)
public @interface OwnServerTest {
}
