package dev.kcintegrations.events.config;

import org.keycloak.Config;
import org.keycloak.common.util.KeycloakUriBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * The realm's URLs, the realm's name encoded (a realm may be called "Müller &amp; Söhne"): its issuer, and its
 * base in the admin REST API. Two kinds:
 * <ul>
 *   <li>{@link #of}: as the current request sees the server, for answers to that request (the catalog);</li>
 *   <li>{@link #configured}: from configuration only, for what goes into a <b>signed</b> delivery. Without a
 *       fixed {@code --hostname}, Keycloak builds its URLs from the request's {@code Host} header, and a
 *       sign-in's header would then be signed into every subscriber's body. So: the realm's Frontend URL,
 *       else the server's {@code hostname} when it is a URL, else none (bodies name the realm by a URN and carry
 *       no links).</li>
 * </ul>
 */
public final class RealmUrl {

    private RealmUrl() {
    }

    /** {@code <server>/realms/<name>}, the realm's issuer as this request sees it; null outside a request. */
    public static URI of(KeycloakSession session, RealmModel realm) {
        URI base = requestBase(session);
        return base == null ? null : of(base, realm.getName());
    }

    /** {@code <configured server>/realms/<name>}, or null when neither the realm nor the server fixes its URL. */
    public static URI configured(RealmModel realm) {
        return configuredBase(realm).map(base -> of(base, realm.getName())).orElse(null);
    }

    /** {@code <configured admin server>/admin/realms/<name>} ({@code hostname-admin}, else as {@link #configured}), or null. */
    public static URI configuredAdmin(RealmModel realm) {
        Optional<URI> base = Optional.ofNullable(ServerOptions.HOSTNAME_ADMIN).flatMap(RealmUrl::httpUrl).or(() -> configuredBase(realm));
        return base.map(b -> KeycloakUriBuilder.fromUri(b).path("/admin/realms/{realm}").build(realm.getName())).orElse(null);
    }

    static URI of(URI base, String realmName) {
        return URI.create(Urls.realmIssuer(base, realmName));
    }

    /** The realm's Frontend URL (realm attribute {@code frontendUrl}), else the server's {@code hostname} option. */
    static Optional<URI> configuredBase(RealmModel realm) {
        Optional<URI> frontend = Optional.ofNullable(realm.getAttribute("frontendUrl")).filter(url -> !url.isBlank()).flatMap(RealmUrl::httpUrl);
        if (frontend.isPresent()) {
            return frontend;
        }
        // Only a hostname given as a URL: with a plain name Keycloak still takes scheme, port and path from the request.
        String hostname = ServerOptions.HOSTNAME;
        if (hostname == null || hostname.isBlank()) {
            return Optional.empty();
        }
        String lower = hostname.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://") ? httpUrl(hostname.strip()) : Optional.empty();
    }

    /** An absolute http(s) URL with a host and no user info, query or fragment; anything else is not used. */
    static Optional<URI> httpUrl(String text) {
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawUserInfo() == null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException malformed) {
            // not a URL: not used
        }
        return Optional.empty();
    }

    /** Server options are fixed for the life of the process: read once, when the first event needs them. */
    private static final class ServerOptions {
        static final String HOSTNAME = hostnameOption("hostname");
        static final String HOSTNAME_ADMIN = hostnameOption("hostname-admin");
    }

    /** The option as Keycloak's hostname provider reads it ({@code --hostname}, {@code --hostname-admin}); null outside a server. */
    private static String hostnameOption(String name) {
        try {
            return Config.scope("hostname", "v2").get(name);
        } catch (RuntimeException noServerConfiguration) {
            return null;
        }
    }

    private static URI requestBase(KeycloakSession session) {
        try {
            return session.getContext().getUri().getBaseUri();
        } catch (RuntimeException noRequest) {
            return null;
        }
    }
}
