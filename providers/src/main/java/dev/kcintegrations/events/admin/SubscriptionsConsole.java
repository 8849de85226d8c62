package dev.kcintegrations.events.admin;

import dev.kcintegrations.shared.WebFiles;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocolService;
import org.keycloak.services.Urls;
import org.keycloak.urls.UrlType;

import java.net.URI;
import java.util.Map;

/**
 * {@code /realms/{realm}/event-subscriptions/console/}: the Event subscriptions page, static files from this
 * JAR. The page signs the administrator in to this realm through {@link ConsoleClient} (with the admin
 * console's SSO session there is no second login) and calls {@code /admin/realms/{target}/event-subscriptions}
 * with that token; the server decides what the token may do. Only the files listed here are served, under a
 * policy that lets the page run its own scripts and talk to this server only.
 */
public final class SubscriptionsConsole {

    /** Every file the page is made of; anything else is a 404. */
    private static final WebFiles FILES = new WebFiles(Map.of(
            "index.html", "event-subscriptions-console/index.html",
            "console.js", "event-subscriptions-console/console.js",
            "messages.js", "event-subscriptions-console/messages.js",
            "console.css", "event-subscriptions-console/console.css",
            "oidc.js", "web/oidc.js",
            "vendor/uPlot.esm.js", "event-subscriptions-console/vendor/uPlot.esm.js",
            "vendor/uPlot.min.css", "event-subscriptions-console/vendor/uPlot.min.css"));

    private final KeycloakSession session;

    SubscriptionsConsole(KeycloakSession session) {
        this.session = session;
    }

    /** The page; without the trailing slash its relative references would resolve one level up, so it redirects. */
    @GET
    @Path("console")
    public Response page() {
        if (!session.getContext().getUri().getRequestUri().getRawPath().endsWith("/")) {
            return Response.status(Response.Status.FOUND).location(session.getContext().getUri().getBaseUriBuilder()
                    .path("realms").path(realm().getName()).path(SubscriptionsConsoleProviderFactory.PROVIDER_ID).path("console/").build()).build();
        }
        return file("index.html");
    }

    /** What the page needs to sign in and to find the admin API; nothing secret. */
    @GET
    @Path("console/config.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response config() {
        RealmModel realm = realm();
        UriBuilder frontend = UriBuilder.fromUri(session.getContext().getUri(UrlType.FRONTEND).getBaseUri());
        URI admin = session.getContext().getUri(UrlType.ADMIN).getBaseUri();
        ConsoleConfig config = new ConsoleConfig(realm.getName(), ConsoleClient.CLIENT_ID,
                Urls.realmIssuer(frontend.clone().build(), realm.getName()),
                OIDCLoginProtocolService.authUrl(frontend.clone()).build(realm.getName()).toString(),
                OIDCLoginProtocolService.tokenUrl(frontend.clone()).build(realm.getName()).toString(),
                OIDCLoginProtocolService.logoutUrl(frontend.clone()).build(realm.getName()).toString(),
                UriBuilder.fromUri(admin).path("admin/realms").build().toString());
        return WebFiles.secured(session, Response.ok(config, MediaType.APPLICATION_JSON_TYPE), headers()).build();
    }

    @GET
    @Path("console/{file: .+}")
    public Response file(@PathParam("file") String name) {
        return FILES.serve(session, name, headers());
    }

    /** What the page needs to sign in ({@code web/oidc.js}) and to call the admin API. */
    record ConsoleConfig(String realm, String clientId, String issuer, String authorizationEndpoint, String tokenEndpoint,
                         String endSessionEndpoint, String adminApi) {
    }

    private RealmModel realm() {
        return session.getContext().getRealm();
    }

    /**
     * The page holds an administrator's token in memory: scripts only from here, connections only to here and to
     * the admin API's origin (another host name when {@code hostname-admin} is set), no framing at all, nothing
     * cached, no referrer carrying the page's query.
     */
    private WebFiles.Headers headers() {
        URI admin = session.getContext().getUri(UrlType.ADMIN).getBaseUri();
        String adminOrigin = admin.getScheme() + "://" + admin.getAuthority();
        return new WebFiles.Headers("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self' " + adminOrigin + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                "no-referrer", "DENY", false);
    }
}
