package dev.kcintegrations.idcs;

import dev.kcintegrations.shared.UrnScopes;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessToken;

import java.util.List;
import java.util.stream.Collectors;

/**
 * "IDCS token claims": what resource servers written for IDCS read from its access tokens (Oracle, "Access
 * Token"): {@code tok_type} {@code AT}, {@code sub_type} {@code user} or {@code client}, {@code client_id}, and
 * {@code user_id} on user tokens. It also applies what the request asked in IDCS terms
 * ({@link IdcsScopeRequest}): the lifetime cap of {@code urn:opc:resource:expiry} (never longer than Keycloak
 * would have issued, which already stops at the user session's end) and consumer scopes named as requested.
 */
public final class IdcsTokenClaimsMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "idcs-token-claims-mapper";

    /** After "URN resource audience" (1000), which fixes {@code aud}. */
    private static final int PRIORITY = 1010;

    @Override
    public AccessToken transformAccessToken(AccessToken token, ProtocolMapperModel mapping, KeycloakSession session,
                                            UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
        UserModel user = userSession == null ? null : userSession.getUser();
        boolean clientToken = user == null || user.getServiceAccountClientLink() != null;
        token.getOtherClaims().put("tok_type", "AT");
        token.getOtherClaims().put("sub_type", clientToken ? "client" : "user");
        token.getOtherClaims().put("client_id", clientSessionCtx.getClientSession().getClient().getClientId());
        if (!clientToken) {
            token.getOtherClaims().put("user_id", user.getId());
        }
        if (session.getAttribute(IdcsTokenRequestFilter.TRANSLATION) instanceof IdcsScopeRequest.Translation asked) {
            asked.expiry().ifPresent(seconds -> {
                long capped = token.getIat() + seconds;
                if (token.getExp() == null || token.getExp() > capped) {
                    token.exp(capped);
                }
            });
            if (!asked.renamed().isEmpty() && token.getScope() != null) {
                token.setScope(UrnScopes.split(token.getScope()).stream()
                        .map(scope -> asked.renamed().getOrDefault(scope, scope))
                        .collect(Collectors.joining(" ")));
            }
        }
        return token;
    }

    @Override
    public AccessToken transformIntrospectionToken(AccessToken token, ProtocolMapperModel mapping, KeycloakSession session,
                                                   UserSessionModel userSession, ClientSessionContext clientSessionCtx) {
        return transformAccessToken(token, mapping, session, userSession, clientSessionCtx);
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "IDCS token claims";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Adds tok_type, sub_type, client_id and user_id as Oracle IDCS access tokens carry them, and applies "
                + "urn:opc:resource:expiry and hierarchical consumer scopes of IDCS clients (client attribute "
                + IdcsClient.ENABLED + ").";
    }
}
