package dev.kcintegrations.idcs;

import dev.kcintegrations.shared.OAuthError;
import dev.kcintegrations.shared.OAuthErrorResponses;
import dev.kcintegrations.urnscope.DeclaredResources;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.EventBuilder;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.utils.KeycloakSessionUtil;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where an IDCS client's token request enters Keycloak: the realm's token endpoint and its IDCS alias. For a
 * client that opted in ({@link IdcsClient}) the scope parameter is put in Keycloak's terms
 * ({@link IdcsScopeRequest}) before Keycloak reads it, and what the token must say about it is left in the
 * Keycloak session for {@link IdcsTokenClaimsMapper}. Everything else about the request (client
 * authentication, the grant, scope validation, the URN rules, events) stays Keycloak's. Other clients' requests
 * pass untouched, byte for byte.
 *
 * <p>The client, and for user tokens the user, are read here before Keycloak authenticates them: they only
 * decide how the scope is spelled for Keycloak, which then refuses the request if they were not genuine.
 */
@Provider
@Priority(Priorities.ENTITY_CODER)
public final class IdcsTokenRequestFilter implements ContainerRequestFilter {

    /** The Keycloak session attribute holding the {@link IdcsScopeRequest.Translation} of this request. */
    static final String TRANSLATION = IdcsScopeRequest.Translation.class.getName();

    private static final Pattern TOKEN_PATH = Pattern.compile(
            "/?realms/([^/]+)/(?:protocol/openid-connect/token|" + IdcsEndpoints.ALIAS + "/oauth2/v1/token)/?");
    private static final int MAX_BODY_BYTES = 64 * 1024;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (!"POST".equalsIgnoreCase(request.getMethod())) {
            return;
        }
        Matcher path = TOKEN_PATH.matcher(request.getUriInfo().getPath());
        String contentType = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (!path.matches() || contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")) {
            return;
        }
        InputStream entity = request.getEntityStream();
        byte[] body = entity.readNBytes(MAX_BODY_BYTES + 1);
        request.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(body), entity));
        if (body.length > MAX_BODY_BYTES) {
            return; // Keycloak answers oversized bodies itself
        }
        FormBody form = FormBody.parse(new String(body, StandardCharsets.ISO_8859_1));
        if (form == null || form.count(OAuth2Constants.SCOPE) != 1) {
            return; // malformed or duplicated: Keycloak refuses it as it would anyone's
        }
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        RealmModel realm = session == null ? null : session.realms().getRealmByName(path.group(1));
        if (realm == null) {
            return;
        }
        ClientModel client = clientOf(session, realm, request, form);
        if (!IdcsClient.isEnabled(client)) {
            return;
        }
        String grantType = form.first(OAuth2Constants.GRANT_TYPE);
        Optional<UserModel> subject = subjectOf(session, realm, client, grantType, form);
        IdcsScopeRequest.Translation translation;
        try {
            translation = IdcsScopeRequest.translate(form.first(OAuth2Constants.SCOPE),
                    grantable(realm, client, subject), form.all(OAuth2Constants.RESOURCE));
            if (translation.needsClaimsMapper() && !IdcsClient.hasClaimsMapper(client)) {
                // Never a longer-lived or differently named token than asked: say what the client lacks.
                throw new IdcsScopeRequest.Refused("Client " + client.getClientId() + " has no 'IDCS token claims' mapper, "
                        + "which urn:opc:resource:expiry and hierarchical scopes need");
            }
        } catch (IdcsScopeRequest.Refused refused) {
            record(session, realm, client, grantType, refused.getMessage());
            request.abortWith(OAuthErrorResponses.render(new OAuthError(Response.Status.BAD_REQUEST, "invalid_scope",
                    refused.getMessage(), "invalid_scope"), null));
            return;
        }
        session.setAttribute(TRANSLATION, translation);
        request.setEntityStream(new ByteArrayInputStream(
                form.with(OAuth2Constants.SCOPE, translation.scope()).getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * The client as Keycloak will take it: HTTP Basic first (as Keycloak's secret authenticator does), then
     * {@code client_id}, then a client assertion's {@code sub}. A request naming two different clients is left
     * alone: its scope is then never spelled with one client's scopes for another to see.
     */
    private static ClientModel clientOf(KeycloakSession session, RealmModel realm, ContainerRequestContext request, FormBody form) {
        String inForm = form.first(OAuth2Constants.CLIENT_ID);
        String basic = basicClientId(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (basic != null && inForm != null && !basic.equals(inForm)) {
            return null;
        }
        String clientId = basic != null ? basic : inForm;
        if (clientId == null && form.first(OAuth2Constants.CLIENT_ASSERTION) != null) {
            clientId = unverifiedClaims(form.first(OAuth2Constants.CLIENT_ASSERTION)).map(JsonWebToken::getSubject).orElse(null);
        }
        return clientId == null ? null : session.clients().getClientByClientId(realm, clientId);
    }

    private static String basicClientId(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : FormBody.decode(decoded.substring(0, colon));
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
    }

    /** Who the token will be for, as the request says: the asserted or named user, or the service account. */
    private static Optional<UserModel> subjectOf(KeycloakSession session, RealmModel realm, ClientModel client,
                                                 String grantType, FormBody form) {
        if (OAuth2Constants.CLIENT_CREDENTIALS.equals(grantType)) {
            return Optional.ofNullable(session.users().getServiceAccount(client));
        }
        if (OAuth2Constants.PASSWORD.equals(grantType) && form.first("username") != null) {
            return Optional.ofNullable(KeycloakModelUtils.findUserByNameOrEmail(session, realm, form.first("username")));
        }
        if (OAuth2Constants.JWT_AUTHORIZATION_GRANT.equals(grantType) && form.first(OAuth2Constants.ASSERTION) != null) {
            return unverifiedClaims(form.first(OAuth2Constants.ASSERTION))
                    .flatMap(jwt -> IdcsClient.assertedUser(session, realm, client, jwt.getSubject()));
        }
        return Optional.empty();
    }

    private static IdcsScopeRequest.Grantable grantable(RealmModel realm, ClientModel client, Optional<UserModel> subject) {
        List<IdcsScopeRequest.AllowedScope> scopes = Stream.concat(
                        client.getClientScopes(true).values().stream(), client.getClientScopes(false).values().stream())
                .flatMap(scope -> DeclaredResources.audienceOf(scope).stream().map(audience -> new IdcsScopeRequest.AllowedScope(
                        scope.getName(), audience, scope.getScopeMappingsStream().filter(r -> !r.isClientRole())
                        .map(RoleModel::getName).collect(Collectors.toSet()))))
                .toList();
        return new IdcsScopeRequest.Grantable(scopes,
                role -> subject.isPresent() && realmRole(realm, role).map(subject.get()::hasRole).orElse(false),
                role -> realmRole(realm, role).map(client::hasScope).orElse(false));
    }

    private static Optional<RoleModel> realmRole(RealmModel realm, String name) {
        return Optional.ofNullable(realm.getRole(name));
    }

    /** Claims of a JWT read without verifying: they only pick how the scope is spelled; Keycloak verifies later. */
    private static Optional<JsonWebToken> unverifiedClaims(String jwt) {
        try {
            return Optional.of(new JWSInput(jwt).readJsonContent(JsonWebToken.class));
        } catch (Exception unreadable) {
            return Optional.empty();
        }
    }

    /** A refusal here is recorded as Keycloak records a refused grant of that type. */
    private static void record(KeycloakSession session, RealmModel realm, ClientModel client, String grantType, String reason) {
        OAuth2GrantType grant = grantType == null ? null : session.getProvider(OAuth2GrantType.class, grantType);
        if (grant == null) {
            return;
        }
        new EventBuilder(realm, session, session.getContext().getConnection())
                .event(grant.getEventType()).client(client)
                .detail("grant_type", grantType).detail("reason", reason)
                .error("invalid_scope");
    }
}
