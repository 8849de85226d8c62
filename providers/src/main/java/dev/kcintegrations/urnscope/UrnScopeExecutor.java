package dev.kcintegrations.urnscope;

import dev.kcintegrations.shared.TokenMetrics;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.ciba.clientpolicy.context.BackchannelAuthenticationRequestContext;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceAuthorizationRequestContext;
import org.keycloak.protocol.oidc.par.clientpolicy.context.PushedAuthorizationRequestContext;
import org.keycloak.representations.RefreshToken;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;
import org.keycloak.services.clientpolicy.context.JWTAuthorizationGrantContext;
import org.keycloak.services.clientpolicy.context.ResourceOwnerPasswordCredentialsContext;
import org.keycloak.services.clientpolicy.context.ScopeParameterContext;
import org.keycloak.services.clientpolicy.context.ServiceAccountTokenRequestContext;
import org.keycloak.services.clientpolicy.context.TokenExchangeRequestContext;
import org.keycloak.services.clientpolicy.context.TokenRefreshContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Client policy executor "urn-scope-audience": applies {@link UrnScopeRules} to every request of Keycloak
 * 26.7 that can name scopes — authorization (also as a request object or pushed request), device
 * authorization, CIBA, client credentials, password, refresh, token exchange and the JWT authorization
 * grant — before a token or session exists. A refusal becomes each endpoint's own error (RFC 6749 JSON on the token endpoint,
 * the error redirect on the authorization endpoint), because Keycloak renders client policy exceptions.
 */
final class UrnScopeExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private static final Set<ClientPolicyEvent> CHECKED = EnumSet.of(
            ClientPolicyEvent.AUTHORIZATION_REQUEST,
            ClientPolicyEvent.PUSHED_AUTHORIZATION_REQUEST,
            ClientPolicyEvent.DEVICE_AUTHORIZATION_REQUEST,
            ClientPolicyEvent.BACKCHANNEL_AUTHENTICATION_REQUEST,
            ClientPolicyEvent.JWT_AUTHORIZATION_GRANT,
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
        if (!CHECKED.contains(context.getEvent())) {
            return;
        }
        String scope = requestedScope(context);
        UrnScopeRules.Verdict verdict = context instanceof TokenRefreshContext refresh
                ? UrnScopeRules.checkRefresh(session.getContext().getRealm(), scope, resources(context),
                        grantedScope(refresh.getParams().getFirst(OAuth2Constants.REFRESH_TOKEN)))
                : UrnScopeRules.check(session.getContext().getRealm(), scope, resources(context));
        if (verdict.refused()) {
            TokenMetrics.urnRefusal(verdict.violation().error(),
                    context.getEvent().name().toLowerCase(Locale.ROOT));
            throw new ClientPolicyException(verdict.violation().error(), verdict.violation().description(),
                    Response.Status.BAD_REQUEST);
        }
    }

    /**
     * The scope the client asked for. The device context carries no scope parameter of its own, and CIBA's
     * has Keycloak's default scopes added already: both are read from the parsed request.
     */
    private static String requestedScope(ClientPolicyContext context) {
        return switch (context) {
            case DeviceAuthorizationRequestContext device -> device.getRequest().getScope();
            case BackchannelAuthenticationRequestContext ciba -> ciba.getRequest().getScope();
            case ScopeParameterContext scoped -> scoped.getScopeParameter();
            default -> null;
        };
    }

    /** RFC 8707 {@code resource} values of the request, wherever this kind of request carries them. */
    private List<String> resources(ClientPolicyContext context) {
        switch (context) {
            // Keycloak merged query, request object and pushed request into one parsed request already.
            case AuthorizationRequestContext authorization -> {
                return listOf(authorization.getAuthorizationEndpointRequest().getResource());
            }
            case PushedAuthorizationRequestContext pushed -> {
                return union(pushed.getRequestParameters().get(OAuth2Constants.RESOURCE), pushed.getRequest().getResource());
            }
            case DeviceAuthorizationRequestContext device -> {
                return union(device.getRequestParameters().get(OAuth2Constants.RESOURCE), device.getRequest().getResource());
            }
            case BackchannelAuthenticationRequestContext ciba -> {
                return union(ciba.getRequestParameters().get(OAuth2Constants.RESOURCE),
                        ciba.getRequest().getAdditionalReqParams().get(OAuth2Constants.RESOURCE));
            }
            case JWTAuthorizationGrantContext ignored -> {
                return orEmpty(session.getContext().getHttpRequest().getDecodedFormParameters().get(OAuth2Constants.RESOURCE));
            }
            default -> {
                return otherResources(context);
            }
        }
    }

    private static List<String> listOf(String value) {
        return value == null ? List.of() : List.of(value);
    }

    private static List<String> union(List<String> values, String more) {
        List<String> all = new ArrayList<>(orEmpty(values));
        if (more != null && !all.contains(more)) {
            all.add(more);
        }
        return all;
    }

    private List<String> otherResources(ClientPolicyContext context) {
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
