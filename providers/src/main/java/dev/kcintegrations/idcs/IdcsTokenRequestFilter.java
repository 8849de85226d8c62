package dev.kcintegrations.idcs;

import dev.kcintegrations.urnscope.DeclaredResources;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.keycloak.OAuth2Constants;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.util.BasicAuthHelper;
import org.keycloak.utils.KeycloakSessionUtil;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where an IDCS client's token request enters Keycloak: the realm's token endpoint and its IDCS alias. For a
 * client that opted in ({@link IdcsClient}) the scope parameter is put in Keycloak's terms
 * ({@link IdcsScopeRequest}) before Keycloak reads it; the outcome waits in the Keycloak session, tied to that
 * client id, for {@link ScopeOutcomes} (which refuses, once the client has authenticated) and
 * {@link IdcsTokenClaimsMapper}. Everything else about the request (client authentication, the grant, scope
 * validation, the URN rules, events) stays Keycloak's. Other clients' requests pass untouched, byte for byte.
 *
 * <p>Nothing is answered from here: before Keycloak has authenticated the client, a caller must not learn
 * anything a refusal would tell (which scopes a client has). The client is read as the request names it, the
 * way Keycloak's authenticators read it; it only decides how the scope is spelled for Keycloak, which then
 * refuses the request if the client was not genuine. Who the user is plays no part here: Keycloak drops the
 * role-bound scopes of a user it has verified. Only the grants that say why a scope was refused
 * ({@link ScopeOutcomes}: client credentials, password, user assertion) are translated; on the others an IDCS
 * pseudo-scope is refused by Keycloak as the unknown scope it is. A request whose values Keycloak would have to
 * clean first (control characters) is left to Keycloak as sent.
 */
@Provider
@Priority(Priorities.ENTITY_CODER + 10) // after the alias's form guard
public final class IdcsTokenRequestFilter implements ContainerRequestFilter {

    /** The Keycloak session attribute holding the {@link IdcsScopeRequest.Outcome} of this request. */
    static final String OUTCOME = IdcsScopeRequest.Outcome.class.getName();

    private static final Pattern TOKEN_PATH = Pattern.compile(
            "/?realms/([^/]+)/(?:protocol/openid-connect/token|" + IdcsEndpoints.ALIAS + "/oauth2/v1/token)/?");
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";,\\s]*)");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Set<String> TRANSLATED_GRANTS = Set.of(
            OAuth2Constants.CLIENT_CREDENTIALS, OAuth2Constants.PASSWORD, OAuth2Constants.JWT_AUTHORIZATION_GRANT);

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (!"POST".equalsIgnoreCase(request.getMethod())) {
            return;
        }
        Matcher path = TOKEN_PATH.matcher(request.getUriInfo().getPath());
        String contentType = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (!path.matches() || contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")
                || !utf8(contentType)) {
            return;
        }
        InputStream entity = request.getEntityStream();
        byte[] body = entity.readNBytes(MAX_BODY_BYTES + 1);
        request.setEntityStream(new SequenceInputStream(new ByteArrayInputStream(body), entity));
        if (body.length > MAX_BODY_BYTES) {
            return; // Keycloak answers oversized bodies itself
        }
        FormBody form = FormBody.parse(new String(body, StandardCharsets.ISO_8859_1));
        if (form == null || form.count(OAuth2Constants.SCOPE) != 1 || form.hasControlCharacters()
                || !TRANSLATED_GRANTS.contains(form.first(OAuth2Constants.GRANT_TYPE))) {
            return; // malformed, duplicated or in need of Keycloak's cleaning: Keycloak judges it as anyone's
        }
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (session == null) {
            return;
        }
        try {
            RealmModel realm = session.realms().getRealmByName(path.group(1));
            ClientModel client = realm == null ? null : clientOf(session, realm, request, form);
            if (!IdcsClient.isEnabled(client)) {
                return;
            }
            IdcsScopeRequest.Outcome outcome = translate(realm, client, form);
            session.setAttribute(OUTCOME, outcome);
            if (outcome instanceof IdcsScopeRequest.Translation translation) {
                request.setEntityStream(new ByteArrayInputStream(
                        form.with(OAuth2Constants.SCOPE, translation.scope()).getBytes(StandardCharsets.ISO_8859_1)));
            }
        } catch (RuntimeException lookupFailed) {
            // The request goes on as sent; Keycloak answers it on its own terms.
            session.removeAttribute(OUTCOME);
        }
    }

    private static IdcsScopeRequest.Outcome translate(RealmModel realm, ClientModel client, FormBody form) {
        try {
            IdcsScopeRequest.Translation translation = IdcsScopeRequest.translate(client.getClientId(),
                    form.first(OAuth2Constants.SCOPE), grantable(realm, client),
                    form.all(OAuth2Constants.RESOURCE));
            if (translation.needsClaimsMapper() && !IdcsClient.hasClaimsMapper(client)) {
                // Never a longer-lived or differently named token than asked: say what the client lacks.
                return new IdcsScopeRequest.Refusal(client.getClientId(), "Client " + client.getClientId()
                        + " has no 'IDCS token claims' mapper, which urn:opc:resource:expiry and hierarchical scopes need");
            }
            return translation;
        } catch (IdcsScopeRequest.Refused refused) {
            return new IdcsScopeRequest.Refusal(client.getClientId(), refused.getMessage());
        }
    }

    /** Only UTF-8 (the default) is read here; a form in another charset is left to Keycloak. */
    private static boolean utf8(String contentType) {
        Matcher charset = CHARSET.matcher(contentType);
        while (charset.find()) {
            if (!charset.group(1).equalsIgnoreCase("utf-8")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The client as Keycloak's authenticators take it: a form {@code client_id} (which wins over HTTP Basic
     * there), else HTTP Basic parsed as Keycloak parses it, else a client assertion's {@code sub}. A request
     * naming two different clients is left alone, and {@link ScopeOutcomes} refuses an outcome for any
     * client but the one that authenticated.
     */
    private static ClientModel clientOf(KeycloakSession session, RealmModel realm, ContainerRequestContext request, FormBody form) {
        String inForm = form.first(OAuth2Constants.CLIENT_ID);
        // The first header, as Keycloak reads it (getHeaderString would join repeated ones).
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String[] basic = authorization == null ? null : BasicAuthHelper.RFC6749.parseHeader(authorization);
        String inHeader = basic == null ? null : basic[0];
        if (inHeader != null && inForm != null && !inHeader.equals(inForm)) {
            return null;
        }
        String clientId = inForm != null ? inForm : inHeader;
        if (clientId == null && form.first(OAuth2Constants.CLIENT_ASSERTION) != null) {
            clientId = unverifiedClaims(form.first(OAuth2Constants.CLIENT_ASSERTION)).map(JsonWebToken::getSubject).orElse(null);
        }
        if (clientId == null || CONTROL.matcher(clientId).find()) {
            return null;
        }
        return session.clients().getClientByClientId(realm, clientId);
    }

    private static IdcsScopeRequest.Grantable grantable(RealmModel realm, ClientModel client) {
        List<IdcsScopeRequest.AllowedScope> scopes = Stream.concat(
                        client.getClientScopes(true).values().stream(), client.getClientScopes(false).values().stream())
                .flatMap(scope -> DeclaredResources.audienceOf(scope).stream().map(audience -> new IdcsScopeRequest.AllowedScope(
                        scope.getName(), audience, scope.getScopeMappingsStream().filter(r -> !r.isClientRole())
                        .map(RoleModel::getName).collect(Collectors.toSet()))))
                .toList();
        return new IdcsScopeRequest.Grantable(scopes, role -> realmRole(realm, role).map(client::hasScope).orElse(false));
    }

    private static Optional<RoleModel> realmRole(RealmModel realm, String name) {
        return CONTROL.matcher(name).find() ? Optional.empty() : Optional.ofNullable(realm.getRole(name));
    }

    /** Claims of a JWT read without verifying: they only pick how the scope is spelled; Keycloak verifies later. */
    private static Optional<JsonWebToken> unverifiedClaims(String jwt) {
        try {
            return Optional.of(new JWSInput(jwt).readJsonContent(JsonWebToken.class));
        } catch (Exception unreadable) {
            return Optional.empty();
        }
    }

}
