package dev.kcintegrations.callout;

import dev.kcintegrations.testing.Http;
import dev.kcintegrations.testing.Keycloak;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds token requests the way callout clients send them. */
final class CalloutRequests {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";

    private CalloutRequests() {
    }

    static URI endpoint(Keycloak keycloak) {
        return keycloak.realmUrl(DemoRealm.REALM, "/oauth-compat/token");
    }

    /** Ruby's {@code Base64.urlsafe_encode64("#{client_id}:#{client_secret}")}: URL-safe alphabet, padded. */
    static String urlSafeBasic(String clientId, String secret) {
        return "Basic " + Base64.getUrlEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String standardBasic(String clientId, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String demoBasic() {
        return urlSafeBasic(DemoRealm.COUPA_CLIENT, DemoRealm.COUPA_SECRET);
    }

    static Map<String, String> headers(String authorization, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        headers.put("Cache-Control", "no-cache");
        headers.put("Accept", "application/json");
        return headers;
    }

    static Http.Reply post(Keycloak keycloak, String authorization, String contentType, String body) {
        return Http.post(endpoint(keycloak), headers(authorization, contentType), body);
    }

    static Http.Reply demoForm(Keycloak keycloak, String body) {
        return post(keycloak, demoBasic(), FORM, body);
    }
}
