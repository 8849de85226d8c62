package dev.kcintegrations.callout;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Mounts {@link CalloutTokenEndpoint} at {@code /realms/{realm}/oauth-compat}. */
public final class CalloutTokenResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = CalloutTokenEndpoint.ENDPOINT_NAME;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new CalloutTokenEndpoint(session);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
