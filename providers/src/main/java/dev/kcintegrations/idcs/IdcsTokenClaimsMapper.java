package dev.kcintegrations.idcs;

import dev.kcintegrations.shared.UrnScopes;
import org.keycloak.models.AuthenticatedClientSessionModel;
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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
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
        AuthenticatedClientSessionModel clientSession = clientSessionCtx.getClientSession();
        Asked asked = Asked.of(session, clientSession);
        asked.expiry().ifPresent(seconds -> {
            long capped = token.getIat() + seconds;
            if (token.getExp() == null || token.getExp() > capped) {
                token.exp(capped);
            }
        });
        if (!asked.renamed().isEmpty() && token.getScope() != null) {
            token.setScope(UrnScopes.split(token.getScope()).stream()
                    .flatMap(scope -> asked.renamed().getOrDefault(scope, List.of(scope)).stream())
                    .distinct()
                    .collect(Collectors.joining(" ")));
        }
        return token;
    }

    /**
     * What the client asked in IDCS terms for this token: this request's translation, when it was made for
     * this very client (a token exchange may mint another client's token in the same request), kept in the client
     * session so that refreshed tokens keep the cap and the names; else what an earlier request of the session
     * kept there.
     */
    private record Asked(OptionalInt expiry, Map<String, List<String>> renamed) {

        private static final String EXPIRY_NOTE = "idcs.expiry";
        private static final String RENAMED_NOTE = "idcs.renamed";

        static Asked of(KeycloakSession session, AuthenticatedClientSessionModel clientSession) {
            if (session.getAttribute(IdcsTokenRequestFilter.OUTCOME) instanceof IdcsScopeRequest.Translation translation
                    && translation.clientId().equals(clientSession.getClient().getClientId())) {
                Asked asked = new Asked(translation.expiry(), translation.renamed());
                asked.keepIn(clientSession);
                return asked;
            }
            String expiry = clientSession.getNote(EXPIRY_NOTE);
            String renamed = clientSession.getNote(RENAMED_NOTE);
            return new Asked(expiry == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(expiry)),
                    renamed == null ? Map.of() : decode(renamed));
        }

        private void keepIn(AuthenticatedClientSessionModel clientSession) {
            if (expiry.isPresent()) {
                clientSession.setNote(EXPIRY_NOTE, Integer.toString(expiry.getAsInt()));
            } else {
                clientSession.removeNote(EXPIRY_NOTE);
            }
            if (!renamed.isEmpty()) {
                clientSession.setNote(RENAMED_NOTE, encode(renamed));
            } else {
                clientSession.removeNote(RENAMED_NOTE);
            }
        }

        /** {@code allowed=asked asked;allowed=asked}: scope names hold neither {@code =}, {@code ;} nor spaces. */
        private static String encode(Map<String, List<String>> renamed) {
            return renamed.entrySet().stream().map(e -> e.getKey() + "=" + String.join(" ", e.getValue()))
                    .collect(Collectors.joining(";"));
        }

        private static Map<String, List<String>> decode(String note) {
            Map<String, List<String>> renamed = new LinkedHashMap<>();
            for (String entry : note.split(";")) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    renamed.put(entry.substring(0, equals), UrnScopes.split(entry.substring(equals + 1)));
                }
            }
            return renamed;
        }
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
