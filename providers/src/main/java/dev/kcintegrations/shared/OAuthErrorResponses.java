package dev.kcintegrations.shared;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;

/** The one place that renders token-endpoint errors: RFC 6749 §5.2 JSON, never cached. */
public final class OAuthErrorResponses {

    private OAuthErrorResponses() {
    }

    /**
     * @param basicRealm when not null, the client tried (or should try) HTTP Basic: a 401 then carries
     *                   {@code WWW-Authenticate: Basic realm="…"} as RFC 6749 §5.2 requires
     */
    public static Response render(OAuthError error, String basicRealm) {
        Response.ResponseBuilder builder = Response.status(error.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new OAuth2ErrorRepresentation(error.error(), error.description()));
        noStore(builder);
        if (basicRealm != null && error.status() == Response.Status.UNAUTHORIZED) {
            builder.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + basicRealm + "\"");
        }
        return builder.build();
    }

    /** RFC 6749 §5.1: token responses, errors included, must not be cached. */
    public static Response.ResponseBuilder noStore(Response.ResponseBuilder builder) {
        return builder.header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache");
    }
}
