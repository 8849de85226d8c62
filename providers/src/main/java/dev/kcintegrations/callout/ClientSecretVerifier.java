package dev.kcintegrations.callout;

import org.keycloak.authentication.authenticators.client.ClientIdAndSecretAuthenticator;
import org.keycloak.events.Errors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCClientSecretConfigWrapper;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a client id and secret the way Keycloak's {@link ClientIdAndSecretAuthenticator} does
 * (enabled, confidential, current or still-valid rotated secret, not expired, constant-time compare),
 * trying each candidate spelling from {@link BasicCredentials}. Shared by the oauth-compat endpoint and
 * the client authenticator on the standard token endpoint, so both accept exactly the same clients.
 */
public final class ClientSecretVerifier {

    /** Client authenticator types whose clients authenticate with a shared secret. */
    static final Set<String> SECRET_AUTHENTICATOR_TYPES =
            Set.of(ClientIdAndSecretAuthenticator.PROVIDER_ID, AnyBase64ClientAuthenticator.PROVIDER_ID);

    /** Why a client was refused: the event error and the reason an administrator reads. */
    public enum Refusal {
        CLIENT_NOT_FOUND(Errors.CLIENT_NOT_FOUND, "Client not found"),
        CLIENT_DISABLED(Errors.CLIENT_DISABLED, "Client disabled"),
        PUBLIC_CLIENT(Errors.INVALID_CLIENT, "Public client cannot use client credentials"),
        BEARER_ONLY(Errors.INVALID_CLIENT, "Bearer-only client cannot obtain tokens"),
        NOT_SECRET_CLIENT(Errors.INVALID_CLIENT, "Client does not authenticate with a client secret"),
        INVALID_SECRET(Errors.INVALID_CLIENT_CREDENTIALS, "Invalid client secret"),
        SECRET_EXPIRED(Errors.INVALID_CLIENT_CREDENTIALS, "Client secret expired");

        private final String eventError;
        private final String reason;

        Refusal(String eventError, String reason) {
            this.eventError = eventError;
            this.reason = reason;
        }

        public String eventError() {
            return eventError;
        }

        public String reason() {
            return reason;
        }
    }

    /** Either the authenticated client, or the refusal (with the client when it was found). */
    public record Outcome(ClientModel client, Refusal refusal) {
        public boolean authenticated() {
            return refusal == null;
        }
    }

    private ClientSecretVerifier() {
    }

    public static Outcome verify(KeycloakSession session, RealmModel realm,
                                 List<String> clientIdCandidates, List<String> secretCandidates) {
        Optional<ClientModel> found = clientIdCandidates.stream()
                .map(id -> session.clients().getClientByClientId(realm, id))
                .filter(c -> c != null)
                .findFirst();
        if (found.isEmpty()) {
            return new Outcome(null, Refusal.CLIENT_NOT_FOUND);
        }
        ClientModel client = found.get();
        if (!client.isEnabled()) {
            return new Outcome(client, Refusal.CLIENT_DISABLED);
        }
        if (client.isPublicClient()) {
            return new Outcome(client, Refusal.PUBLIC_CLIENT);
        }
        if (client.isBearerOnly()) {
            return new Outcome(client, Refusal.BEARER_ONLY);
        }
        String type = client.getClientAuthenticatorType();
        if (type != null && !SECRET_AUTHENTICATOR_TYPES.contains(type)) {
            return new Outcome(client, Refusal.NOT_SECRET_CLIENT);
        }
        if (client.getSecret() == null) {
            return new Outcome(client, Refusal.INVALID_SECRET);
        }
        OIDCClientSecretConfigWrapper wrapper = OIDCClientSecretConfigWrapper.fromClientModel(client);
        boolean matches = secretCandidates.stream().anyMatch(secret ->
                wrapper.validateSecret(session, secret) || wrapper.validateRotatedSecret(session, secret));
        if (!matches) {
            return new Outcome(client, Refusal.INVALID_SECRET);
        }
        if (wrapper.isClientSecretExpired()) {
            return new Outcome(client, Refusal.SECRET_EXPIRED);
        }
        return new Outcome(client, null);
    }
}
