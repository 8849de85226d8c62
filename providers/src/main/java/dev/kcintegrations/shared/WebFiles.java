package dev.kcintegrations.shared;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import org.keycloak.headers.SecurityHeadersProvider;
import org.keycloak.models.BrowserSecurityHeaders;
import org.keycloak.models.KeycloakSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The files of one of the project's browser pages, from this JAR: only the names listed are served (anything
 * else is a 404, so no path reaches another resource), each under the page's own security headers in place of
 * Keycloak's login-page ones, and never cached (a new JAR is seen at once).
 */
public final class WebFiles {

    /**
     * A page's headers: its {@code Content-Security-Policy}, {@code Referrer-Policy}, and who may frame it
     * ({@code X-Frame-Options} {@code DENY}/{@code SAMEORIGIN}, or null to leave framing to the policy's
     * {@code frame-ancestors}); {@code anyOrigin} for files other sites load as scripts (CORS, no credentials).
     */
    public record Headers(String contentSecurityPolicy, String referrerPolicy, String frameOptions, boolean anyOrigin) {
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html;charset=utf-8", "js", "text/javascript;charset=utf-8",
            "css", "text/css;charset=utf-8");

    /** File name in the page → resource path in the JAR. */
    private final Map<String, String> files;

    public WebFiles(Map<String, String> files) {
        this.files = Map.copyOf(files);
    }

    public Response serve(KeycloakSession session, String name, Headers headers) {
        String resource = files.get(name);
        if (resource == null) {
            throw new NotFoundException();
        }
        String type = TYPES.get(resource.substring(resource.lastIndexOf('.') + 1));
        try (InputStream in = WebFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null || type == null) {
                throw new NotFoundException();
            }
            return secured(session, Response.ok(in.readAllBytes(), type), headers).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The page's headers on any of its responses. Keycloak's own filter would put the realm's login-page policy
     * over them, so it is told to stand back for this response, and the realm's other headers are set here.
     */
    public static Response.ResponseBuilder secured(KeycloakSession session, Response.ResponseBuilder response, Headers headers) {
        session.getProvider(SecurityHeadersProvider.class).options().skipHeaders();
        Map<String, String> realmHeaders = session.getContext().getRealm().getBrowserSecurityHeaders();
        for (BrowserSecurityHeaders header : new BrowserSecurityHeaders[]{BrowserSecurityHeaders.STRICT_TRANSPORT_SECURITY,
                BrowserSecurityHeaders.X_ROBOTS_TAG}) {
            String value = realmHeaders.getOrDefault(header.getKey(), header.getDefaultValue());
            if (value != null && !value.isEmpty()) {
                response.header(header.getHeaderName(), value);
            }
        }
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        response.cacheControl(noStore)
                .header("Content-Security-Policy", headers.contentSecurityPolicy())
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", headers.referrerPolicy());
        if (headers.frameOptions() != null) {
            response.header("X-Frame-Options", headers.frameOptions());
        }
        if (headers.anyOrigin()) {
            response.header("Access-Control-Allow-Origin", "*");
        }
        return response;
    }
}
