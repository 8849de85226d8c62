package dev.kcintegrations.callout;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds {@link CalloutFormBodyFilter} to a resource class or method: only those get their form bodies checked
 * before Keycloak's HTTP layer decodes them. Keycloak's own endpoints are not touched.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@interface CalloutFormBody {
}
