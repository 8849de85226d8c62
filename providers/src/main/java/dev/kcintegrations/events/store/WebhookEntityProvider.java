package dev.kcintegrations.events.store;

import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

import java.util.List;

/** Adds the webhook tables to Keycloak's own database, created and upgraded by our Liquibase changelog. */
public final class WebhookEntityProvider implements JpaEntityProvider, JpaEntityProviderFactory {

    public static final String PROVIDER_ID = "kci-webhooks";

    @Override
    public List<Class<?>> getEntities() {
        return List.of(SubscriptionEntity.class, DeliveryEntity.class, AttemptEntity.class, JobRunEntity.class, SigningKeyEntity.class,
                ClientCertificateEntity.class);
    }

    @Override
    public String getChangelogLocation() {
        return "META-INF/kci-webhooks-changelog.xml";
    }

    @Override
    public String getFactoryId() {
        return PROVIDER_ID;
    }

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return this;
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
