package dev.kcintegrations.idcs;

import dev.kcintegrations.shared.OAuthFormBody;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.OIDCLoginProtocolService;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.endpoints.TokenEndpoint;

/**
 * The paths IDCS tools derive from an IDCS base URL, as aliases of the realm's own endpoints: with
 * {@code https://host/realms/R/idcs} as that base, {@code /oauth2/v1/token} is the realm's token endpoint and
 * {@code /admin/v1/SigningCert/jwk} its JWKS. Each hands the request to Keycloak's endpoint object, so there
 * is one implementation of each, and one set of rules.
 */
@OAuthFormBody
public final class IdcsEndpoints {

    public static final String ALIAS = "idcs";

    private final KeycloakSession session;

    IdcsEndpoints(KeycloakSession session) {
        this.session = session;
    }

    @POST
    @Path("oauth2/v1/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token() {
        return new TokenEndpoint(session, new TokenManager(), event()).processGrantRequest();
    }

    @OPTIONS
    @Path("oauth2/v1/token")
    public Response tokenPreflight() {
        return new TokenEndpoint(session, new TokenManager(), event()).preflight();
    }

    @GET
    @Path("admin/v1/SigningCert/jwk")
    @Produces(MediaType.APPLICATION_JSON)
    public Response signingKeys() {
        return new OIDCLoginProtocolService(session, event()).certs();
    }

    private EventBuilder event() {
        return new EventBuilder(session.getContext().getRealm(), session, session.getContext().getConnection());
    }
}
