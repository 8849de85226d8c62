package dev.kcintegrations.callout;

import dev.kcintegrations.shared.OAuthError;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

import java.util.List;
import java.util.Map;

/**
 * The client of an oauth-compat token request, authenticated either by {@code Authorization: Basic}
 * (either Base64 alphabet) or by {@code client_id}/{@code client_secret} in the body, never both.
 *
 * @param method the OIDC name of how it authenticated, recorded in the event
 */
record CalloutClient(ClientModel model, String method) {

    Map<String, String> authAttributes() {
        return Map.of();
    }

    static CalloutClient authenticate(KeycloakSession session, RealmModel realm, List<String> authorization,
                                      TokenRequestBody request, EventBuilder event) {
        boolean inBody = request.has(OAuth2Constants.CLIENT_ID) || request.has(OAuth2Constants.CLIENT_SECRET);
        List<String> ids;
        List<String> secrets;
        String method;
        if (authorization != null) {
            if (authorization.size() > 1) {
                throw OAuthError.invalidRequest("Duplicate Authorization header");
            }
            if (inBody) {
                throw OAuthError.invalidRequest(
                        "Client credentials sent both in the Authorization header and in the body; use one");
            }
            BasicCredentials credentials;
            try {
                credentials = BasicCredentials.parse(authorization.get(0));
            } catch (BasicCredentials.MalformedException e) {
                throw invalidClient(e.getMessage(), "invalid_client_credentials");
            }
            ids = credentials.clientIdCandidates();
            secrets = credentials.secretCandidates();
            method = OIDCLoginProtocol.CLIENT_SECRET_BASIC;
        } else if (inBody) {
            String id = request.get(OAuth2Constants.CLIENT_ID);
            String secret = request.get(OAuth2Constants.CLIENT_SECRET);
            if (id == null || id.isEmpty()) {
                throw invalidClient("Missing client_id", "invalid_client_credentials");
            }
            event.client(id);
            if (secret == null) {
                throw invalidClient("Missing client_secret", "invalid_client_credentials");
            }
            ids = List.of(id);
            secrets = List.of(secret);
            method = OIDCLoginProtocol.CLIENT_SECRET_POST;
        } else {
            throw invalidClient("Client authentication required: send Authorization: Basic", "invalid_client_credentials");
        }

        event.client(ids.get(0));
        ClientSecretVerifier.Outcome outcome = ClientSecretVerifier.verify(session, realm, ids, secrets);
        if (outcome.client() != null) {
            event.client(outcome.client());
        }
        if (!outcome.authenticated()) {
            ClientSecretVerifier.Refusal refusal = outcome.refusal();
            switch (refusal) {
                case PUBLIC_CLIENT, NOT_SECRET_CLIENT, BEARER_ONLY -> throw new OAuthError(
                        Response.Status.UNAUTHORIZED, "unauthorized_client", refusal.reason(), refusal.eventError());
                // The answer does not say whether the client exists; the event's reason tells the administrator.
                default -> throw new OAuthError(Response.Status.UNAUTHORIZED, "invalid_client",
                        "Invalid client or client credentials", refusal.eventError(), refusal.reason());
            }
        }
        return new CalloutClient(outcome.client(), method);
    }

    private static OAuthError invalidClient(String description, String eventError) {
        return new OAuthError(Response.Status.UNAUTHORIZED, "invalid_client", description, eventError);
    }
}
