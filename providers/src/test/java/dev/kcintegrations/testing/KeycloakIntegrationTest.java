package dev.kcintegrations.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that runs against the shared real Keycloak (see {@link KeycloakExtension}). These
 * classes run one at a time, since each restores the demo realm after itself; they may run beside an
 * {@link OwnServerTest} and a {@link ClusterTest} (see {@link TestLanes}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KeycloakExtension.class)
@Tag(TestLanes.SHARED_SERVER)
@ResourceLock(TestLanes.SHARED_SERVER)
public @interface KeycloakIntegrationTest {
}
