package dev.kcintegrations.urnscope;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.http.HttpRequest;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.representations.RefreshToken;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;
import org.keycloak.services.clientpolicy.context.ResourceOwnerPasswordCredentialsContext;
import org.keycloak.services.clientpolicy.context.ScopeParameterContext;
import org.keycloak.services.clientpolicy.context.ServiceAccountTokenRequestContext;
import org.keycloak.services.clientpolicy.context.TokenExchangeRequestContext;
import org.keycloak.services.clientpolicy.context.TokenRefreshContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Client policy executor "urn-scope-audience": applies {@link UrnScopeRules} to every request that can
 * name scopes — authorization, client credentials, password, refresh and token exchange — before a token
 * or session exists. A refusal becomes each endpoint's own error (RFC 6749 JSON on the token endpoint,
 * the error redirect on the authorization endpoint), because Keycloak renders client policy exceptions.
 */
final class UrnScopeExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private static final Set<ClientPolicyEvent> CHECKED = EnumSet.of(
            ClientPolicyEvent.AUTHORIZATION_REQUEST,
            ClientPolicyEvent.SERVICE_ACCOUNT_TOKEN_REQUEST,
            ClientPolicyEvent.RESOURCE_OWNER_PASSWORD_CREDENTIALS_REQUEST,
            ClientPolicyEvent.TOKEN_REFRESH,
            ClientPolicyEvent.TOKEN_EXCHANGE_REQUEST);

    private final KeycloakSession session;

    UrnScopeExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        if (!CHECKED.contains(context.getEvent()) || !(context instanceof ScopeParameterContext scoped)) {
            return;
        }
        UrnScopeRules.Verdict verdict = context instanceof TokenRefreshContext refresh
                ? UrnScopeRules.checkRefresh(session.getContext().getRealm(), scoped.getScopeParameter(), resources(context),
                        grantedScope(refresh.getParams().getFirst(OAuth2Constants.REFRESH_TOKEN)))
                : UrnScopeRules.check(session.getContext().getRealm(), scoped.getScopeParameter(), resources(context));
        if (verdict.refused()) {
            dev.kcintegrations.shared.TokenMetrics.urnRefusal(verdict.violation().error(),
                    context.getEvent().name().toLowerCase(java.util.Locale.ROOT));
            throw new ClientPolicyException(verdict.violation().error(), verdict.violation().description(),
                    Response.Status.BAD_REQUEST);
        }
    }

    /** RFC 8707 {@code resource} values of the request, wherever this kind of request carries them. */
    private List<String> resources(ClientPolicyContext context) {
        MultivaluedMap<String, String> params = switch (context) {
            case ServiceAccountTokenRequestContext c -> c.getParams();
            case ResourceOwnerPasswordCredentialsContext c -> c.getParams();
            case TokenRefreshContext c -> c.getParams();
            default -> null;
        };
        if (params != null) {
            return orEmpty(params.get(OAuth2Constants.RESOURCE));
        }
        if (context instanceof TokenExchangeRequestContext exchange) {
            return orEmpty(exchange.getTokenExchangeContext().getParams().getResource());
        }
        if (context instanceof AuthorizationRequestContext) {
            HttpRequest request = session.getContext().getHttpRequest();
            List<String> query = session.getContext().getUri().getQueryParameters().get(OAuth2Constants.RESOURCE);
            MediaType type = request.getHttpHeaders().getMediaType();
            if (query == null && type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
                return orEmpty(request.getDecodedFormParameters().get(OAuth2Constants.RESOURCE));
            }
            return orEmpty(query);
        }
        return List.of();
    }

    /**
     * The scope the refresh token was granted. Read without verifying: it can only lead to a refusal, and
     * Keycloak verifies the token right after the policies ran.
     */
    private static String grantedScope(String refreshToken) {
        if (refreshToken == null) {
            return null;
        }
        try {
            return new JWSInput(refreshToken).readJsonContent(RefreshToken.class).getScope();
        } catch (JWSInputException | RuntimeException unreadable) {
            return null;
        }
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }

    @Override
    public String getProviderId() {
        return UrnScopeExecutorFactory.PROVIDER_ID;
    }
}
