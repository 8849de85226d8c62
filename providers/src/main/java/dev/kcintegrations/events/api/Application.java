package dev.kcintegrations.events.api;

import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.events.topics.Topics;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The caller of the events API: the confidential client whose client-credentials token came as
 * {@code Authorization: Bearer}. The token is verified by Keycloak (signature with the realm's keys,
 * expiry, issuer, type, active client); its scopes decide what the application may read.
 *
 * @param id the client's UUID, the API's {@code applicationId}
 */
record Application(String id, String clientId, Set<String> scopes) {

    static Application authenticate(KeycloakSession session, RealmModel realm) {
        String header = session.getContext().getRequestHeaders().getHeaderString("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthorized(realm, null, "Authorization: Bearer <token> is required");
        }
        // Keycloak's check may read the database (a service-account user not in its cache): it runs in a
        // transaction of its own, so that the request's transaction holds no connection while a subscriber's
        // endpoint is being verified (PUT /subscriptions/webhook).
        KeycloakContext request = session.getContext();
        return KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(), request, job -> {
            RealmModel jobRealm = job.getContext().getRealm();
            AuthenticationManager.AuthResult auth;
            try {
                auth = new AppAuthManager.BearerTokenAuthenticator(job).setRealm(jobRealm).setUriInfo(request.getUri())
                        .setConnection(request.getConnection()).setHeaders(request.getRequestHeaders())
                        .setRequest(request.getHttpRequest()).authenticate();
            } catch (RuntimeException invalid) {
                auth = null;
            }
            if (auth == null) {
                throw unauthorized(realm, "invalid_token", "The bearer token is missing, invalid or expired");
            }
            ClientModel client = auth.client();
            UserModel user = auth.user();
            if (client == null || !client.isEnabled() || user == null || !client.getId().equals(user.getServiceAccountClientLink())) {
                throw unauthorized(realm, "invalid_token", "The bearer token must come from an enabled client's client-credentials grant");
            }
            String scope = auth.token().getScope() == null ? "" : auth.token().getScope();
            Set<String> scopes = Arrays.stream(scope.split(" ")).filter(s -> !s.isBlank()).collect(Collectors.toUnmodifiableSet());
            return new Application(client.getId(), client.getClientId(), scopes);
        }, "events/v4 authentication");
    }

    private static ApiFailure unauthorized(RealmModel realm, String error, String message) {
        String challenge = "Bearer realm=\"" + realm.getName() + "\"" + (error == null ? "" : ", error=\"" + error + "\"");
        return new ApiFailure(401, message, Map.of("WWW-Authenticate", challenge));
    }

    /** Every call needs {@code events.topic.read}. */
    Application requireApiScope() {
        if (!scopes.contains(Topic.API_SCOPE)) {
            throw ApiFailure.forbidden("The token lacks scope " + Topic.API_SCOPE);
        }
        return this;
    }

    List<Topic> readableTopics(RealmModel realm) {
        return Topics.of(realm).stream().filter(topic -> topic.readableWith(scopes)).toList();
    }

    Topic readableTopic(RealmModel realm, String name) {
        Topic topic = Topics.named(realm, name).orElseThrow(() -> ApiFailure.forbidden("topic '" + name + "' is not readable with this token"));
        if (!topic.readableWith(scopes)) {
            throw ApiFailure.forbidden("topic '" + name + "' is not readable with this token"
                    + (topic.scope().isEmpty() ? "" : " (it needs scope " + topic.scope() + ")"));
        }
        return topic;
    }
}
