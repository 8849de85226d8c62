package dev.kcintegrations.events.admin;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.models.BrowserSecurityHeaders;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocolService;
import org.keycloak.headers.SecurityHeadersProvider;
import org.keycloak.urls.UrlType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    private static final String ROOT = "event-subscriptions-console/";
    /** Every file the page is made of, with its type; anything else is a 404. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", MediaType.TEXT_HTML + ";charset=utf-8",
            "console.js", "text/javascript;charset=utf-8",
            "oidc.js", "text/javascript;charset=utf-8",
            "console.css", "text/css;charset=utf-8",
            "vendor/uPlot.esm.js", "text/javascript;charset=utf-8",
            "vendor/uPlot.min.css", "text/css;charset=utf-8");

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
                OIDCLoginProtocolService.authUrl(frontend.clone()).build(realm.getName()).toString(),
                OIDCLoginProtocolService.tokenUrl(frontend.clone()).build(realm.getName()).toString(),
                OIDCLoginProtocolService.logoutUrl(frontend.clone()).build(realm.getName()).toString(),
                UriBuilder.fromUri(admin).path("admin/realms").build().toString());
        return secured(Response.ok(config, MediaType.APPLICATION_JSON_TYPE), admin).build();
    }

    @GET
    @Path("console/{file: .+}")
    public Response file(@PathParam("file") String name) {
        String type = FILES.get(name);
        if (type == null) {
            throw new NotFoundException();
        }
        try (InputStream in = SubscriptionsConsole.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new NotFoundException();
            }
            return secured(Response.ok(in.readAllBytes(), type), session.getContext().getUri(UrlType.ADMIN).getBaseUri()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record ConsoleConfig(String realm, String clientId, String authorizationEndpoint, String tokenEndpoint, String endSessionEndpoint,
                         String adminApi) {
    }

    private RealmModel realm() {
        return session.getContext().getRealm();
    }

    /**
     * The page holds an administrator's token in memory: scripts only from here, connections only to here and to
     * the admin API's origin (another host name when {@code hostname-admin} is set), no framing by other sites,
     * nothing cached, no referrer carrying the page's query. Keycloak's own filter would put the realm's
     * login-page policy over this one, so it is told to stand back and the realm's other headers are set here.
     */
    private Response.ResponseBuilder secured(Response.ResponseBuilder response, URI admin) {
        session.getProvider(SecurityHeadersProvider.class).options().skipHeaders();
        String adminOrigin = admin.getScheme() + "://" + admin.getAuthority();
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        Map<String, String> realmHeaders = realm().getBrowserSecurityHeaders();
        for (BrowserSecurityHeaders header : new BrowserSecurityHeaders[]{BrowserSecurityHeaders.STRICT_TRANSPORT_SECURITY,
                BrowserSecurityHeaders.X_ROBOTS_TAG}) {
            String value = realmHeaders.getOrDefault(header.getKey(), header.getDefaultValue());
            if (value != null && !value.isEmpty()) {
                response.header(header.getHeaderName(), value);
            }
        }
        return response.cacheControl(noStore)
                .header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                        + " connect-src 'self' " + adminOrigin + "; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "SAMEORIGIN");
    }
}
