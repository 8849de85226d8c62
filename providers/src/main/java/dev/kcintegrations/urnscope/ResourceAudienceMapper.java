package dev.kcintegrations.urnscope;

import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.representations.AccessToken;

import java.util.List;
import java.util.Optional;

/**
 * "URN resource audience": declares that the client scope it sits on is a URN scope of an API resource,
 * and makes that resource's primary audience the access token's only {@code aud}.
 *
 * <p>It is the one place an audience is declared: {@link DeclaredResources} reads it to enforce the rules,
 * and it sets the claim. It runs after Keycloak's audience mappers (which add {@code account} and client
 * audiences) and replaces what they added. ID tokens are untouched.
 */
public final class ResourceAudienceMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "urn-resource-audience-mapper";
    public static final String AUDIENCE = "urn.resource.audience";

    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
            .property()
            .name(AUDIENCE)
            .label("Primary audience")
            .helpText("The API resource's primary audience, e.g. urn:opc:resource:fusion:demo01:field-service-common. "
                    + "The client scope's name is this audience followed by the scope suffix. It must contain the "
                    + "realm's environmentName as one of its ':'-separated segments.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .add()
            .build();

    /** Last among mappers: after Keycloak's audience resolve (priority 30) and role mappers. */
    private static final int PRIORITY = 1000;

    @Override
    public AccessToken transformAccessToken(AccessToken token, ProtocolMapperModel mapping, KeycloakSession session,
                                            UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
        audienceOf(mapping).ifPresent(token::audience);
        return token;
    }

    @Override
    public AccessToken transformIntrospectionToken(AccessToken token, ProtocolMapperModel mapping, KeycloakSession session,
                                                   UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
        return transformAccessToken(token, mapping, session, userSession, clientSessionCtx);
    }

    static Optional<String> audienceOf(ProtocolMapperModel mapping) {
        String audience = mapping.getConfig() == null ? null : mapping.getConfig().get(AUDIENCE);
        return audience == null || audience.isBlank() ? Optional.empty() : Optional.of(audience.strip());
    }

    /** The audience a client scope declares, if it carries this mapper. */
    static Optional<String> audienceOf(ClientScopeModel scope) {
        return scope.getProtocolMappersStream()
                .filter(m -> PROVIDER_ID.equals(m.getProtocolMapper()))
                .map(ResourceAudienceMapper::audienceOf)
                .flatMap(Optional::stream)
                .findFirst();
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "URN resource audience";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Makes this client scope a URN scope of an API resource: the access token's 'aud' becomes exactly the "
                + "resource's primary audience, and requests mixing audiences are refused (client policy executor "
                + "'urn-scope-audience').";
    }
}
