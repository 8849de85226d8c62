package dev.kcintegrations.idcs;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.authentication.authenticators.client.ClientAssertionState;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.grants.JWTAuthorizationGrantType;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.services.CorsErrorResponseException;
import org.keycloak.services.Urls;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.JWTAuthorizationGrantContext;
import org.keycloak.services.managers.AuthenticationSessionManager;
import org.keycloak.services.managers.UserSessionManager;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.sessions.RootAuthenticationSessionModel;

import java.util.List;
import java.util.UUID;

/**
 * RFC 7523 user assertions the way IDCS takes them (Oracle, "Client Assertion"; Field Service "OAuth User
 * Assertion"; P6 EPPM; OIC): the client signs, with the key of its own certificate, a JWT whose {@code iss} is
 * its client id, whose {@code sub} is the user's username, and whose {@code aud} is
 * {@value #IDCS_AUDIENCE} (or this realm's issuer). Keycloak's own grant of the same name wants an identity
 * provider and a federated link per user; this one needs neither, and is only for clients that opted in
 * ({@link IdcsClient}) and turned on Keycloak's "JWT Authorization Grant" for themselves.
 *
 * <p>What a token needs is Keycloak's: the checks of {@link UserAssertionValidator}, the client's keys, a
 * transient user session, client scopes, mappers, client policies and the {@code JWT_AUTHORIZATION_GRANT} event.
 * Every other client's request goes to Keycloak's grant unchanged.
 */
final class UserAssertionGrantType extends JWTAuthorizationGrantType {

    /** The audience IDCS clients put in their assertions, whatever the tenant. */
    static final String IDCS_AUDIENCE = "https://identity.oraclecloud.com/";
    /** The allowed clock difference, as Keycloak's own assertion checks count it. */
    static final int CLOCK_SKEW_SECONDS = 30;

    private static final Logger LOG = Logger.getLogger(UserAssertionGrantType.class);

    @Override
    public Response process(Context context) {
        ScopeOutcomes.enforce(context);
        if (!IdcsClient.isEnabled(context.getClient()) || !issuedByTheClient(context)) {
            // Every other client, and an opted-in client's assertion from an identity provider: Keycloak's grant.
            return super.process(context);
        }
        setContext(context);
        try {
            return issue();
        } catch (CorsErrorResponseException refused) {
            throw refused;
        } catch (Refused refused) {
            throw refusal(OAuthErrorException.INVALID_GRANT, refused.getMessage(), Errors.INVALID_REQUEST);
        } catch (RuntimeException unexpected) {
            // Not the assertion's fault, or not one we can name: nothing of it (a database message) goes out.
            String correlation = UUID.randomUUID().toString();
            LOG.errorf(unexpected, "User assertion of client %s could not be checked, correlation id %s", client.getClientId(), correlation);
            throw refusal(OAuthErrorException.INVALID_GRANT, "The assertion could not be checked, correlation id " + correlation,
                    Errors.INVALID_REQUEST);
        }
    }

    /** Whether the assertion's {@code iss} is the client itself, as in IDCS's user assertions. */
    private static boolean issuedByTheClient(Context context) {
        String assertion = context.getFormParams().getFirst(OAuth2Constants.ASSERTION);
        try {
            return assertion == null || context.getClient().getClientId().equals(
                    new JWSInput(assertion).readJsonContent(JsonWebToken.class).getIssuer());
        } catch (JWSInputException | RuntimeException unreadable) {
            return true; // ours to refuse, with our reason
        }
    }

    private Response issue() {
        String assertion = formParams.getFirst(OAuth2Constants.ASSERTION);
        if (assertion == null || assertion.isBlank()) {
            throw new Refused("Missing parameter: assertion");
        }
        JWSInput jws;
        JsonWebToken jwt;
        try {
            jws = new JWSInput(assertion);
            jwt = jws.readJsonContent(JsonWebToken.class);
        } catch (JWSInputException | RuntimeException e) {
            throw new Refused("The assertion is not a signed JWT");
        }
        ClientAssertionState state = new ClientAssertionState(OAuth2Constants.JWT_AUTHORIZATION_GRANT, assertion, jws, jwt);
        state.setClient(client);
        UserAssertionValidator validator = new UserAssertionValidator(session, formParams.getFirst(OAuth2Constants.SCOPE), state);
        event.detail(Details.IDENTITY_PROVIDER_ISSUER, jwt.getIssuer());
        event.detail(Details.IDENTITY_PROVIDER_USER_ID, jwt.getSubject());

        keycloakCheck(validator::validateClient);
        keycloakCheck(validator::validateSubject);
        keycloakCheck(() -> validator.validateSignatureAlgorithm(null));
        KeyWrapper key = AssertionKeys.find(session, client, jws).orElseThrow(() -> new Refused(
                "No certificate of the client matches the assertion's kid or x5t"));
        if (!AssertionKeys.verifies(key, jws)) {
            throw new Refused("The assertion's signature does not verify with the client's certificate");
        }
        // Only now, with the signature good, may the assertion use up its jti.
        keycloakCheck(() -> validator.validateTokenAudience(List.of(IDCS_AUDIENCE, realmIssuer()), true));
        if (jwt.getIat() == null) {
            throw new Refused("The assertion has no iat");
        }
        int maxLifetime = IdcsClient.assertionMaxLifetime(client);
        // Keycloak bounds how old iat may be; a one-off assertion must also not be made to last.
        if (jwt.getExp() != null && jwt.getExp() - jwt.getIat() > maxLifetime) {
            throw new Refused("The assertion lives longer than " + maxLifetime + " s (exp - iat)");
        }
        keycloakCheck(() -> validator.validateTokenActive(CLOCK_SKEW_SECONDS, maxLifetime, false));

        UserModel user = IdcsClient.assertedUser(session, realm, client, jwt.getSubject())
                .filter(found -> found.getServiceAccountClientLink() == null)
                .orElseThrow(() -> new Refused("User not found"));
        if (!user.isEnabled()) {
            throw new Refused("User is not enabled");
        }
        if (user.getRequiredActionsStream().findAny().isPresent()) {
            throw new Refused("Account is not fully set up");
        }
        event.user(user);
        event.detail(Details.USERNAME, user.getUsername());

        String scope = getRequestedScopes();
        try {
            session.clientPolicy().triggerOnEvent(new JWTAuthorizationGrantContext(session, validator, null));
        } catch (ClientPolicyException cpe) {
            event.detail(Details.CLIENT_POLICY_ERROR, cpe.getError());
            event.detail(Details.CLIENT_POLICY_ERROR_DETAIL, cpe.getErrorDetail());
            throw refusal(cpe.getError(), cpe.getErrorDetail(), cpe.getError());
        }
        if (!TokenManager.isValidScope(session, scope, client, user)) {
            throw refusal(OAuthErrorException.INVALID_SCOPE, "Invalid scopes: " + scope, OAuthErrorException.INVALID_SCOPE);
        }
        if (!TokenManager.verifyConsentStillAvailable(session, user, client, null, scope)) {
            throw refusal(OAuthErrorException.INVALID_SCOPE, "Missing consents for the client " + client.getClientId(),
                    Errors.CONSENT_DENIED);
        }

        RootAuthenticationSessionModel root = new AuthenticationSessionManager(session).createAuthenticationSession(realm, false);
        AuthenticationSessionModel authSession = createSessionModel(root, user, client, scope);
        UserSessionModel userSession = new UserSessionManager(session).createUserSession(root.getId(), realm, user,
                user.getUsername(), clientConnection.getRemoteHost(), "idcs-user-assertion", false, null, null,
                UserSessionModel.SessionPersistenceState.TRANSIENT);
        event.session(userSession);
        ClientSessionContext clientSessionCtx = TokenManager.attachAuthenticationSession(session, userSession, authSession,
                validator.getRestrictedScopes(), false);
        return createTokenResponse(createTokenResponseBuilder(user, userSession, clientSessionCtx, scope, null), clientSessionCtx, true);
    }

    /** Runs one of Keycloak's assertion checks; what it says is the refusal's description. */
    private static void keycloakCheck(Runnable check) {
        try {
            check.run();
        } catch (RuntimeException failed) {
            throw new Refused(failed.getMessage());
        }
    }

    private String realmIssuer() {
        return Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
    }

    /** A refusal with its own OAuth error, recorded as Keycloak records refused grants. */
    private CorsErrorResponseException refusal(String error, String description, String eventError) {
        event.detail(Details.REASON, description);
        event.error(eventError);
        return new CorsErrorResponseException(cors, error, description, Response.Status.BAD_REQUEST);
    }

    /** What is wrong with the assertion, in words safe to send back. */
    private static final class Refused extends RuntimeException {
        Refused(String description) {
            super(description, null, false, false);
        }
    }
}
