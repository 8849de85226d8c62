package dev.kcintegrations.shared;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds {@link OAuthFormBodyFilter} to a resource class or method of an OAuth-style endpoint (the callout token
 * endpoint, the IDCS token alias): only those get their form bodies checked before Keycloak's HTTP layer decodes
 * them. Keycloak's own endpoints are not touched.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OAuthFormBody {
}
