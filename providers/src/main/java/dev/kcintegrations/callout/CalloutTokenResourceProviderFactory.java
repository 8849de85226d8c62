package dev.kcintegrations.callout;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import java.util.List;

/** Mounts {@link CalloutTokenEndpoint} at {@code /realms/{realm}/oauth-compat}. */
public final class CalloutTokenResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = CalloutTokenEndpoint.ENDPOINT_NAME;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new CalloutTokenEndpoint(session, throttle);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Options: {@code --spi-realm-restapi-extension--oauth-compat--<option>}. */
    static final String FAILURES_PER_ADDRESS = "failures-per-minute-per-address";
    static final String FAILURES_PER_CLIENT = "failures-per-minute-per-client";

    private FailureThrottle throttle;

    @Override
    public void init(Config.Scope config) {
        throttle = new FailureThrottle(config.getInt(FAILURES_PER_ADDRESS, 120), config.getInt(FAILURES_PER_CLIENT, 30));
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name(FAILURES_PER_ADDRESS).type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(120)
                .helpText("Failed client authentications a source address may have a minute before it is refused (429) without"
                        + " being checked; 0: no limit").add()
                .property().name(FAILURES_PER_CLIENT).type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(30)
                .helpText("Failed authentications of one client a minute; beyond them a wrong secret is answered 429 and recorded"
                        + " as no event (its right secret still works); 0: no limit").add()
                .build();
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
