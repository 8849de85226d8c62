package dev.kcintegrations.plugin;

import dev.kcintegrations.shared.BoundedBody;
import dev.kcintegrations.shared.RealmEnvironment;
import dev.kcintegrations.shared.UrnScopes;
import dev.kcintegrations.urnscope.UrnScopeRules;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.services.cors.Cors;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /realms/{realm}/plugin-api}: a signed-in user's plugin asks for a token bound to that user for
 * one API resource ({@code getAccessTokenByScope}), and reads its environment. Answers in the seed's
 * procedure envelope; CORS for the plugin client's Web Origins.
 */
@PluginFormBody
final class PluginApiEndpoint {

    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(PluginApiEndpoint.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final PluginApiSettings settings;

    PluginApiEndpoint(KeycloakSession session, PluginApiSettings settings) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.settings = settings;
    }

    @POST
    public Response call(InputStream in) {
        Cors cors = Cors.builder().auth().allowedMethods("POST", "GET", "OPTIONS").allowAllOrigins();
        ProcedureCall call;
        try {
            call = ProcedureCall.parse(read(in));
        } catch (ProcedureCall.Refused refused) {
            return withCors(cors, PluginEnvelopes.error(refused.failure.error(), false, refused.callId, refused.procedure, refused.param));
        }
        String procedure = call.procedure().id();
        AuthenticationManager.AuthResult auth = authenticate();
        if (auth == null) {
            return withCors(cors, PluginEnvelopes.error(PluginError.UNAUTHORIZED, false, call.callId(), procedure, call.param()));
        }
        cors = Cors.builder().auth().allowedMethods("POST", "GET", "OPTIONS").checkAllowedOrigins(session, auth.client());
        PluginClientConfig client = PluginClientConfig.of(auth.client());
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.TOKEN_EXCHANGE).client(auth.client()).user(auth.user()).session(auth.session())
                .detail("procedure", procedure).detail(call.procedure().param(), call.value())
                .detail("endpoint", PluginApiResourceProviderFactory.PROVIDER_ID);
        try {
            PluginBearer.refusal(auth).ifPresent(reason -> {
                throw new PluginFailure(PluginError.UNAUTHORIZED, reason);
            });
            long started = System.nanoTime();
            String scope = scopeOf(auth, client, call);
            event.detail(Details.SCOPE, scope);
            String token = issue(auth, client, scope);
            if (System.nanoTime() - started > settings.timeoutNanos()) {
                throw new PluginFailure(PluginError.PROCEDURE_TIMEOUT, "Issuing took longer than " + settings.timeoutMillis() + " ms");
            }
            event.success();
            return withCors(cors, PluginEnvelopes.success(call.callId(), call.procedure(), token));
        } catch (PluginFailure failure) {
            event.detail(Details.REASON, failure.reason()).error(failure.error().name().toLowerCase(Locale.ROOT));
            return withCors(cors, PluginEnvelopes.error(failure.error(), client.nativeApp(), call.callId(), procedure, call.param()));
        } catch (RuntimeException unexpected) {
            String correlationId = UUID.randomUUID().toString();
            LOG.errorf(unexpected, "Unexpected error in plugin-api, correlation id %s", correlationId);
            event.detail(Details.REASON, "Unexpected error, correlation id " + correlationId).error("unknown_error");
            return withCors(cors, PluginEnvelopes.error(PluginError.UNKNOWN, false, call.callId(), procedure, null));
        }
    }

    /**
     * The scope asked for: given (getAccessTokenByScope), or the registered application's (getAccessToken),
     * looked up now, so that an application removed or changed since the plugin's init counts as it is today.
     */
    private String scopeOf(AuthenticationManager.AuthResult auth, PluginClientConfig client, ProcedureCall call) {
        if (call.procedure() == ProcedureCall.Procedure.GET_ACCESS_TOKEN_BY_SCOPE) {
            return call.value();
        }
        requireTokenAccess(auth, client); // before the lookup: a client without plugin tokens learns nothing of keys
        PluginApplication application = PluginApplications.of(realm, auth.client()).get(call.value());
        if (application == null) {
            throw new PluginFailure(PluginError.WRONG_APPLICATION_KEY, "No application " + call.value() + " is registered for "
                    + auth.client().getClientId());
        }
        if (!application.type().issuedInTheBrowser()) {
            throw new PluginFailure(PluginError.APPLICATION_NOT_CONFIGURED, "Application " + call.value() + " is of type "
                    + application.type().id() + ", whose token needs a client secret, which a browser must not hold");
        }
        return application.scope();
    }

    private static void requireTokenAccess(AuthenticationManager.AuthResult auth, PluginClientConfig client) {
        if (!client.tokenAccessEnabled()) {
            throw new PluginFailure(PluginError.CLIENT_NOT_ENABLED, "Client " + auth.client().getClientId() + " is not enabled for plugin token access");
        }
    }

    private String issue(AuthenticationManager.AuthResult auth, PluginClientConfig client, String scope) {
        requireTokenAccess(auth, client);
        if (auth.session().isOffline()) {
            throw new PluginFailure(PluginError.OFFLINE_NOT_SUPPORTED, "The bearer token belongs to an offline session");
        }
        List<String> scopes = UrnScopes.split(scope);
        if (scopes.isEmpty() || !scopes.stream().allMatch(UrnScopes::isUrn)) {
            throw new PluginFailure(PluginError.SCOPE_INVALID, "Every requested scope must be a URN scope");
        }
        UrnScopeRules.Verdict verdict = UrnScopeRules.check(realm, scope, List.of());
        if (verdict.refused()) {
            throw new PluginFailure(PluginError.SCOPE_INVALID, verdict.violation().description());
        }
        if (!TokenManager.isValidScope(session, scope, auth.client(), auth.user())) {
            throw new PluginFailure(PluginError.SCOPE_NOT_ALLOWED, "Scope is not among the client's scopes: " + scope);
        }
        return PluginTokenIssuer.issue(session, realm, auth, scopes, settings.tokenLifespanSeconds());
    }

    /** The user's access token from this realm: signature, expiry, issuer, active session. */
    private AuthenticationManager.AuthResult authenticate() {
        try {
            return new AppAuthManager.BearerTokenAuthenticator(session).setRealm(realm).authenticate();
        } catch (RuntimeException invalid) {
            return null;
        }
    }

    @GET
    @Path("environment")
    @Produces(MediaType.APPLICATION_JSON)
    public Response environment() {
        AuthenticationManager.AuthResult auth = authenticate();
        if (auth == null) {
            return withCors(Cors.builder().auth().allowedMethods("GET", "OPTIONS").allowAllOrigins(),
                    PluginEnvelopes.error(PluginError.UNAUTHORIZED, false, null, null, null));
        }
        return withCors(Cors.builder().auth().allowedMethods("GET", "OPTIONS").checkAllowedOrigins(session, auth.client()),
                Response.ok(RealmEnvironment.of(realm), MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "no-store").build());
    }

    /**
     * What the host bridge needs for the plugin client of the bearer (the user's sign-in token of it): the
     * realm's Environment for the plugin's {@code open}, the origins the plugin may be served from, whether it
     * is a native app (its error names), how long a procedure may take, and its registered applications.
     */
    @GET
    @Path("host")
    @Produces(MediaType.APPLICATION_JSON)
    public Response host() {
        AuthenticationManager.AuthResult auth = authenticate();
        if (auth == null || PluginBearer.refusal(auth).isPresent()) {
            return withCors(Cors.builder().auth().allowedMethods("GET", "OPTIONS").allowAllOrigins(),
                    PluginEnvelopes.error(PluginError.UNAUTHORIZED, false, null, null, null));
        }
        PluginClientConfig client = PluginClientConfig.of(auth.client());
        return withCors(Cors.builder().auth().allowedMethods("GET", "OPTIONS").checkAllowedOrigins(session, auth.client()),
                Response.ok(new HostSettings(RealmEnvironment.of(realm), client.origins(), client.nativeApp(), settings.timeoutMillis(),
                                announced(auth)),
                        MediaType.APPLICATION_JSON_TYPE).header("Cache-Control", "no-store").build());
    }

    /** @param applications the plugin client's applications as a plugin gets them in {@code init} (no scopes: the server keeps those) */
    record HostSettings(RealmEnvironment environment, List<String> pluginOrigins, boolean nativeApp, long timeoutMillis,
                        Map<String, PluginApplication.Announced> applications) {
    }

    private Map<String, PluginApplication.Announced> announced(AuthenticationManager.AuthResult auth) {
        Map<String, PluginApplication.Announced> applications = new LinkedHashMap<>();
        PluginApplications.of(realm, auth.client()).forEach((key, application) -> applications.put(key, application.announced()));
        return applications;
    }

    @OPTIONS
    @Path("host")
    public Response hostPreflight() {
        return preflight();
    }

    /** The host bridge, {@code host.js}, and the sign-in module it imports. */
    @GET
    @Path("{file: host\\.js|oidc\\.js}")
    public Response bridge(@PathParam("file") String file) {
        return PluginHostPages.bridge(session, file);
    }

    /** The demo host page and sample plugin (realms that enable them only). */
    @GET
    @Path("demo/{file}")
    public Response demo(@PathParam("file") String file) {
        return PluginHostPages.demo(session, realm, file);
    }

    @GET
    public Response get() {
        return methodNotAllowed();
    }

    @PUT
    public Response put() {
        return methodNotAllowed();
    }

    @DELETE
    public Response delete() {
        return methodNotAllowed();
    }

    @PATCH
    public Response patch() {
        return methodNotAllowed();
    }

    /** Procedures are called with POST; anything else is answered in the envelope, not by JAX-RS's 404/405 page. */
    private static Response methodNotAllowed() {
        return Response.fromResponse(PluginEnvelopes.error(PluginError.HTTP_METHOD_NOT_ALLOWED, false, null, null, null))
                .allow("POST", "OPTIONS").build();
    }

    @OPTIONS
    public Response preflight() {
        return Cors.builder().preflight().allowedMethods("POST", "GET", "OPTIONS").auth().add(Response.ok());
    }

    @OPTIONS
    @Path("environment")
    public Response environmentPreflight() {
        return preflight();
    }

    private static Response withCors(Cors cors, Response response) {
        return cors.add(Response.fromResponse(response));
    }

    private static byte[] read(InputStream in) {
        try {
            return BoundedBody.read(in, MAX_BODY_BYTES).orElseThrow(() ->
                    new ProcedureCall.Refused(PluginError.JSON_INVALID, "Body larger than " + MAX_BODY_BYTES + " bytes", null, null, null));
        } catch (IOException e) {
            throw new ProcedureCall.Refused(PluginError.JSON_INVALID, "Body could not be read", null, null, null);
        }
    }
}
