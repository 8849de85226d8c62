package dev.kcintegrations.callout;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.authenticators.client.AbstractClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.idm.CredentialRepresentation;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Client Id and Secret (standard or URL-safe Base64)": Keycloak's client-secret authentication for the
 * standard token endpoint, but decoding {@code Authorization: Basic} from either Base64 alphabet, so a
 * callout client that encodes URL-safe can use {@code /protocol/openid-connect/token} too. An
 * administrator picks it per client (Credentials tab, or {@code clientAuthenticatorType} in realm JSON);
 * the realm's client authentication flow must contain it (the demo realm's flow does).
 *
 * <p>Like Keycloak's own client authenticators, one object is both factory and authenticator.
 */
public final class AnyBase64ClientAuthenticator extends AbstractClientAuthenticator {

    public static final String PROVIDER_ID = "client-secret-any-base64";

    private static final AuthenticationExecutionModel.Requirement[] REQUIREMENT_CHOICES = {
            AuthenticationExecutionModel.Requirement.ALTERNATIVE,
            AuthenticationExecutionModel.Requirement.DISABLED
    };

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        String authorization = context.getHttpRequest().getHttpHeaders().getHeaderString(HttpHeaders.AUTHORIZATION);
        MultivaluedMap<String, String> form = formParameters(context);

        List<String> ids;
        List<String> secrets;
        if (BasicCredentials.isBasic(authorization)) {
            BasicCredentials credentials;
            try {
                credentials = BasicCredentials.parse(authorization);
            } catch (BasicCredentials.MalformedException e) {
                context.getEvent().detail("reason", e.getMessage());
                context.challenge(challenge(context, e.getMessage()));
                return;
            }
            ids = credentials.clientIdCandidates();
            secrets = credentials.secretCandidates();
        } else if (form != null && form.getFirst(OAuth2Constants.CLIENT_ID) != null) {
            ids = List.of(form.getFirst(OAuth2Constants.CLIENT_ID));
            String secret = form.getFirst(OAuth2Constants.CLIENT_SECRET);
            secrets = secret == null ? List.of() : List.of(secret);
        } else {
            // Not ours to answer: another alternative in the flow may recognise the request.
            return;
        }

        context.getEvent().client(ids.get(0));
        ClientSecretVerifier.Outcome outcome =
                ClientSecretVerifier.verify(context.getSession(), context.getRealm(), ids, secrets);
        if (outcome.client() != null) {
            context.setClient(outcome.client());
            context.getEvent().client(outcome.client());
        }
        if (outcome.authenticated()) {
            context.success();
            return;
        }
        if (outcome.refusal() == ClientSecretVerifier.Refusal.CLIENT_NOT_FOUND) {
            context.failure(AuthenticationFlowError.CLIENT_NOT_FOUND, null);
        } else if (outcome.refusal() == ClientSecretVerifier.Refusal.CLIENT_DISABLED) {
            context.failure(AuthenticationFlowError.CLIENT_DISABLED, null);
        } else if (outcome.refusal() == ClientSecretVerifier.Refusal.PUBLIC_CLIENT) {
            // Keycloak's client-secret authenticator lets public clients through (they have no secret);
            // the grant then decides. Keep that behaviour for drop-in compatibility.
            context.success();
        } else {
            context.getEvent().detail("reason", outcome.refusal().reason());
            context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, ClientAuthUtil.errorResponse(
                    Response.Status.UNAUTHORIZED.getStatusCode(), "unauthorized_client",
                    "Invalid client or Invalid client credentials"));
        }
    }

    private static MultivaluedMap<String, String> formParameters(ClientAuthenticationFlowContext context) {
        MediaType type = context.getHttpRequest().getHttpHeaders().getMediaType();
        return type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                ? context.getHttpRequest().getDecodedFormParameters()
                : null;
    }

    private static Response challenge(ClientAuthenticationFlowContext context, String description) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + context.getRealm().getName() + "\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", "invalid_client", "error_description", description))
                .build();
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "Client Id and Secret (standard or URL-safe Base64)";
    }

    @Override
    public String getHelpText() {
        return "Like 'Client Id and Secret', but an 'Authorization: Basic' header may be encoded with the standard "
                + "or the URL-safe Base64 alphabet (RFC 4648 §4/§5), padded or not, and id and secret may be sent "
                + "form-url-encoded or as they are.";
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return Collections.emptyList();
    }

    @Override
    public List<ProviderConfigProperty> getConfigPropertiesPerClient() {
        return Collections.emptyList();
    }

    @Override
    public Map<String, Object> getAdapterConfiguration(KeycloakSession session, ClientModel client) {
        String secret = client.getSecret();
        return Map.of(CredentialRepresentation.SECRET, session.vault().getStringSecret(secret).get().orElse(secret));
    }

    /**
     * Deliberately empty: Keycloak maps an OIDC auth method (e.g. from dynamic client registration) to the
     * first authenticator that claims it, and {@code client_secret_basic} must keep mapping to the stock one.
     * Discovery still advertises {@code client_secret_basic} through the stock authenticator.
     */
    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return Collections.emptySet();
    }

    @Override
    public boolean supportsSecret() {
        return true;
    }
}
