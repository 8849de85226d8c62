package dev.kcintegrations.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that drives Chromium against a shared server (see {@link KeycloakExtension}): like
 * {@link KeycloakIntegrationTest}, and a running {@code ./run-demo.sh} can serve it too, but in a lane of its own
 * (see {@link TestTags}), one class at a time, on a second shared server. Its classes spend most of their time in a
 * browser and in Node, not in Keycloak; beside the shared lane they no longer make it the longest.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KeycloakExtension.class)
@Tag(TestTags.SHARED_SERVER)
@Tag(TestTags.BROWSER)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(TestTags.BROWSER)
public @interface BrowserTest {
}
