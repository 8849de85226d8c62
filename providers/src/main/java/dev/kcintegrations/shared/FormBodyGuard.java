package dev.kcintegrations.shared;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keycloak 26.7 adds RESTEasy Reactive's {@code FormBodyHandler} in front of every POST, PUT and PATCH
 * resource method ({@code KeycloakHandlerChainCustomizer}, phase BEFORE_METHOD_INVOKE). It decodes any
 * {@code application/x-www-form-urlencoded} or {@code multipart/form-data} body, and a body it cannot decode
 * ends as {@code 500 unknown_error} before the method runs (keycloak#37935). JAX-RS request filters run
 * earlier in the same chain: this one reads the body, refuses what that parser would fail on with a 400,
 * and hands the same bytes back, so Keycloak still decodes the (now well-formed) form for everyone
 * downstream ({@code getDecodedFormParameters()}, client policies, authenticators). Subclasses are
 * name-bound {@code @Provider}s that render the refusal in their API's format.
 */
public abstract class FormBodyGuard implements ContainerRequestFilter {

    static final int MAX_BODY_BYTES = 64 * 1024;
    /** RESTEasy Reactive fails at 1000 fields ("Param limit of 1000 was exceeded"); our clients send a handful. */
    static final int MAX_FIELDS = 100;

    private static final Set<String> PARSED_METHODS = Set.of("POST", "PUT", "PATCH");
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";,\\s]*)");

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        // Keycloak's security-headers response filter calls getMediaType() (first Content-Type header) on every
        // answer and fails with a 500 when it does not parse; drop such headers so our 400 goes out. Each
        // header is checked: getHeaderString() joins them, and ",application/json" parses where "" does not.
        List<String> sent = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
        if (sent != null) {
            for (String value : sent) {
                try {
                    MediaType.valueOf(value);
                } catch (IllegalArgumentException e) {
                    request.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
                    request.abortWith(refuse(request, Response.Status.BAD_REQUEST, "Content-Type does not parse"));
                    return;
                }
            }
        }
        if (!PARSED_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return;
        }
        // The raw header, the way RESTEasy Reactive's parsers test it (String.startsWith, case-sensitive);
        // never getMediaType(), which throws on a Content-Type that does not parse.
        String contentType = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return;
        }
        if (contentType.startsWith("multipart/form-data")) {
            request.abortWith(refuse(request, Response.Status.BAD_REQUEST, "multipart/form-data is not supported here"));
            return;
        }
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            return;
        }
        Matcher charset = CHARSET.matcher(contentType);
        while (charset.find()) {
            if (!isSupported(charset.group(1))) {
                request.abortWith(refuse(request, Response.Status.BAD_REQUEST, "Unsupported charset in Content-Type"));
                return;
            }
        }
        byte[] body = readAtMost(request.getEntityStream(), MAX_BODY_BYTES);
        if (body == null) {
            request.abortWith(refuse(request, Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "Request body is larger than " + MAX_BODY_BYTES + " bytes"));
            return;
        }
        String problem = formProblem(body);
        if (problem != null) {
            request.abortWith(refuse(request, Response.Status.BAD_REQUEST, problem));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    /** Null when RESTEasy Reactive's form parser will decode {@code body} without failing. */
    static String formProblem(byte[] body) {
        int fields = 1;
        for (int i = 0; i < body.length; i++) {
            byte b = body[i];
            if (b == '&' && ++fields > MAX_FIELDS) {
                return "Too many form fields (at most " + MAX_FIELDS + ")";
            }
            if (b == '%') {
                if (i + 2 >= body.length || !isHex(body[i + 1]) || !isHex(body[i + 2])) {
                    return "Malformed form body: bad percent-encoding";
                }
                i += 2;
            }
        }
        return null;
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean isSupported(String name) {
        try {
            return !name.isEmpty() && Charset.isSupported(name);
        } catch (IllegalArgumentException e) { // IllegalCharsetNameException
            return false;
        }
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] read = in.readNBytes(limit + 1);
        return read.length > limit ? null : read;
    }

    /** The refusal in the API's own error format. */
    protected abstract Response refuse(ContainerRequestContext request, Response.Status status, String description);
}
