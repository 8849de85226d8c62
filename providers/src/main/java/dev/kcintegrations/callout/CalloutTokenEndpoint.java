package dev.kcintegrations.callout;

import dev.kcintegrations.shared.BoundedBody;
import dev.kcintegrations.shared.OAuthError;
import dev.kcintegrations.shared.OAuthErrorResponses;
import dev.kcintegrations.shared.OAuthFormBody;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCAdvancedConfigWrapper;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.services.CorsErrorResponseException;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.cors.Cors;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /realms/{realm}/oauth-compat/token}: the client-credentials grant the way SaaS callout
 * clients (Coupa) ask for it. It only adapts the request and the answer; the token itself comes from
 * Keycloak's own {@code client_credentials} grant (realm keys, client scopes, mappers, lifespan, events,
 * client policies).
 */
@OAuthFormBody
public final class CalloutTokenEndpoint {

    static final int MAX_BODY_BYTES = 64 * 1024;
    static final String ENDPOINT_DETAIL = "endpoint";
    static final String ENDPOINT_NAME = "oauth-compat";

    private static final Logger LOG = Logger.getLogger(CalloutTokenEndpoint.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final FailureThrottle throttle;

    CalloutTokenEndpoint(KeycloakSession session, FailureThrottle throttle) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.throttle = throttle;
    }

    /**
     * One method for every media type: a second one that {@code @Consumes} forms would make RESTEasy choose
     * between them by Content-Type, and a Content-Type that matches neither (two headers, a bare
     * {@code application/}) would fail in that choice, before any code here could answer. Form bodies are
     * read and decoded by Keycloak's HTTP layer before we run; the stream is then empty.
     */
    @POST
    @Path("token")
    public Response token(InputStream body) {
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.CLIENT_LOGIN)
                .detail(ENDPOINT_DETAIL, ENDPOINT_NAME);
        HttpHeaders headers = session.getContext().getRequestHeaders();
        List<String> sent = headers.getRequestHeader(HttpHeaders.AUTHORIZATION);
        List<String> authorization = sent == null || sent.isEmpty() ? null : sent;
        boolean basic = authorization != null && authorization.size() == 1 && BasicCredentials.isBasic(authorization.get(0));
        String address = session.getContext().getConnection().getRemoteAddr();
        Optional<Duration> addressWait = throttle.admit(address);
        if (addressWait.isPresent()) {
            return throttled(addressWait.get()); // refused before anything is read or recorded
        }
        boolean authenticationFailed = false;
        try {
            return issue(event, headers, authorization, body);
        } catch (OAuthError refusal) {
            if (refusal.status() == Response.Status.UNAUTHORIZED) {
                authenticationFailed = true;
                Optional<Duration> clientWait = throttle.failed(realm.getId(), knownClient(event.getEvent().getClientId()));
                if (clientWait.isPresent()) {
                    return throttled(clientWait.get()); // beyond the client's budget: no event, no delivery
                }
            }
            event.detail(Details.REASON, refusal.reason());
            event.error(refusal.eventError());
            return OAuthErrorResponses.render(refusal, basic || authorization == null ? realm.getName() : null);
        } catch (CorsErrorResponseException refusal) {
            // Refused by Keycloak's grant (service account disabled, invalid scope, client policy …):
            // it has recorded the event already; answer in the same format.
            OAuthError error = new OAuthError(Response.Status.fromStatusCode(refusal.getResponse().getStatus()),
                    refusal.getMessage(), refusal.getErrorDescription(), null);
            return OAuthErrorResponses.render(error, basic ? realm.getName() : null);
        } catch (RuntimeException unexpected) {
            String correlationId = UUID.randomUUID().toString();
            LOG.errorf(unexpected, "Unexpected error on oauth-compat token request, correlation id %s", correlationId);
            event.detail(Details.REASON, "Unexpected server error, correlation id " + correlationId);
            event.error("unknown_error");
            return OAuthErrorResponses.render(new OAuthError(Response.Status.INTERNAL_SERVER_ERROR, "server_error",
                    "Unexpected error, correlation id " + correlationId, null), null);
        } finally {
            if (!authenticationFailed) {
                throttle.succeeded(address);
            }
        }
    }

    /**
     * The internal id of the client a failed authentication named, or null when the id (as sent) names none:
     * every made-up id of the realm then shares one budget.
     */
    private String knownClient(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return null;
        }
        ClientModel client = session.clients().getClientByClientId(realm, clientId);
        return client == null ? null : client.getId();
    }

    /** {@code 429}, RFC 6749's {@code temporarily_unavailable}, and when to come back. */
    private static Response throttled(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return Response.fromResponse(OAuthErrorResponses.render(new OAuthError(Response.Status.TOO_MANY_REQUESTS, "temporarily_unavailable",
                "Too many failed client authentications; retry after " + seconds + " s", "too_many_failures"), null))
                .header("Retry-After", seconds).build();
    }

    private Response issue(EventBuilder event, HttpHeaders headers, List<String> authorization, InputStream in) {
        checkRealm();
        TokenRequestBody request = readRequest(headers, in);

        String grantType = request.get(OAuth2Constants.GRANT_TYPE);
        event.detail(Details.GRANT_TYPE, grantType);
        if (grantType == null || grantType.isEmpty()) {
            throw OAuthError.invalidRequest("Missing parameter: grant_type");
        }
        if (!OAuth2Constants.CLIENT_CREDENTIALS.equals(grantType)) {
            throw new OAuthError(Response.Status.BAD_REQUEST, "unsupported_grant_type",
                    "Only grant_type=client_credentials is supported here", "invalid_request");
        }

        CalloutClient client = CalloutClient.authenticate(session, realm, authorization, request, event);

        session.getContext().setClient(client.model());
        event.client(client.model()).detail(Details.CLIENT_AUTH_METHOD, client.method());

        OAuth2GrantType grant = session.getProvider(OAuth2GrantType.class, OAuth2Constants.CLIENT_CREDENTIALS);
        MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
        form.putSingle(OAuth2Constants.GRANT_TYPE, grantType);
        String scope = request.get(OAuth2Constants.SCOPE);
        if (scope != null) {
            form.putSingle(OAuth2Constants.SCOPE, scope);
        }
        Cors cors = Cors.builder().auth().allowedMethods("POST");
        try {
            grant.preProcess(session, form);
        } catch (ClientPolicyException refused) {
            event.detail(Details.CLIENT_POLICY_ERROR, refused.getError())
                    .detail(Details.CLIENT_POLICY_ERROR_DETAIL, refused.getErrorDetail());
            throw new OAuthError(refused.getErrorStatus(), refused.getError(), refused.getErrorDetail(),
                    refused.getError(), Details.CLIENT_POLICY_ERROR);
        }
        LifetimeRecordingTokenManager tokenManager = new LifetimeRecordingTokenManager();
        OAuth2GrantType.Context context = new OAuth2GrantType.Context(session,
                OIDCAdvancedConfigWrapper.fromClientModel(client.model()), client.authAttributes(), form, event, cors,
                tokenManager);
        Response issued = grant.process(context);
        AccessTokenResponse token = (AccessTokenResponse) issued.getEntity();

        return OAuthErrorResponses.noStore(Response.ok(new CalloutTokenResponse(token.getToken(),
                        CalloutTokenResponse.BEARER, tokenManager.lifetime(token.getExpiresIn()), scope == null ? null : token.getScope()),
                MediaType.APPLICATION_JSON_TYPE)).build();
    }

    private void checkRealm() {
        if (!realm.isEnabled()) {
            throw new OAuthError(Response.Status.FORBIDDEN, "access_denied", "Realm not enabled", "realm_disabled");
        }
        if (!"https".equals(session.getContext().getUri().getBaseUri().getScheme())
                && realm.getSslRequired().isRequired(session.getContext().getConnection())) {
            throw new OAuthError(Response.Status.FORBIDDEN, "invalid_request", "HTTPS required", "ssl_required");
        }
    }

    private TokenRequestBody readRequest(HttpHeaders headers, InputStream in) {
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (TokenRequestBody.format(contentType) == TokenRequestBody.Format.JSON) {
            return TokenRequestBody.fromJson(contentType, readBody(in));
        }
        // Form bodies reach us already read and decoded by Keycloak's HTTP layer (as on its own token
        // endpoint), so the size limit is checked on the declared length and on what was decoded.
        if (headers.getLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        MultivaluedMap<String, String> form;
        try {
            form = session.getContext().getHttpRequest().getDecodedFormParameters();
        } catch (IllegalArgumentException e) {
            // In 26.7 Keycloak's HTTP layer decodes form bodies before any resource runs and answers a bad
            // escape with 500 itself (keycloak#37935, see docs/integration-developers.md); should decoding become lazy, this keeps
            // a malformed body the client's error.
            throw OAuthError.invalidRequest("Malformed form body: bad percent-encoding");
        }
        long decodedLength = form.entrySet().stream()
                .mapToLong(e -> e.getKey().length() + e.getValue().stream().mapToLong(String::length).sum())
                .sum();
        if (decodedLength > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return TokenRequestBody.fromForm(form);
    }

    private static OAuthError tooLarge() {
        return new OAuthError(Response.Status.REQUEST_ENTITY_TOO_LARGE, "invalid_request",
                "Request body is larger than " + MAX_BODY_BYTES + " bytes", "invalid_request");
    }

    private static byte[] readBody(InputStream in) {
        try {
            return BoundedBody.read(in, MAX_BODY_BYTES).orElseThrow(CalloutTokenEndpoint::tooLarge);
        } catch (IOException e) {
            throw OAuthError.invalidRequest("Request body could not be read");
        }
    }

    @GET
    @Path("token")
    public Response get() {
        return methodNotAllowed();
    }

    @PUT
    @Path("token")
    public Response put() {
        return methodNotAllowed();
    }

    @DELETE
    @Path("token")
    public Response delete() {
        return methodNotAllowed();
    }

    @PATCH
    @Path("token")
    public Response patch() {
        return methodNotAllowed();
    }

    @HEAD
    @Path("token")
    public Response head() {
        return methodNotAllowed();
    }

    @OPTIONS
    @Path("token")
    public Response options() {
        return Response.noContent().allow("POST", "OPTIONS").build();
    }

    private static Response methodNotAllowed() {
        Response refusal = OAuthErrorResponses.render(new OAuthError(Response.Status.METHOD_NOT_ALLOWED,
                "invalid_request", "Use POST for the token endpoint", null), null);
        return Response.fromResponse(refusal).allow("POST", "OPTIONS").build();
    }
}
