package dev.kcintegrations.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The authorization code flow with PKCE as a browser walks it, over plain HTTP with cookies: the
 * authorization request, the login form, and the redirect back (no redirect is followed by itself).
 */
public final class BrowserLogin {

    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * Cookies by name. Java's CookieManager withholds 'Secure' cookies from http URLs, which Keycloak
     * sets on its session cookies; browsers send them to localhost, and so does this jar.
     */
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final String verifier;
    private final String challenge;

    public BrowserLogin() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String codeVerifier() {
        return verifier;
    }

    /** A page or a redirect. */
    public record Step(int status, String location, String html) {
        /** The value of a query parameter of the redirect. */
        public Optional<String> redirectParameter(String name) {
            if (location == null || !location.contains("?")) {
                return Optional.empty();
            }
            for (String pair : location.substring(location.indexOf('?') + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].equals(name)) {
                    return Optional.of(URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
                }
            }
            return Optional.empty();
        }
    }

    /** GET the authorization endpoint; extra parameters (e.g. ui_locales) are added as given. */
    public Step authorize(URI authEndpoint, String clientId, String redirectUri, String scope, Map<String, String> extra) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("client_id", clientId);
        params.put("redirect_uri", redirectUri);
        params.put("response_type", "code");
        params.put("scope", scope);
        params.put("state", "st-" + System.nanoTime());
        params.put("code_challenge", challenge);
        params.put("code_challenge_method", "S256");
        params.putAll(extra);
        return send(HttpRequest.newBuilder(URI.create(authEndpoint + "?" + form(params))).GET());
    }

    /** Submits the login form of {@code loginPage}. */
    public Step signIn(Step loginPage, String username, String password) {
        return submit(loginPage, Map.of("username", username, "password", password, "credentialId", ""));
    }

    /** Follows a redirect, as a browser would. */
    public Step follow(Step redirect) {
        if (redirect.location() == null) {
            throw new AssertionError("Not a redirect (status " + redirect.status() + "):\n" + redirect.html());
        }
        return send(HttpRequest.newBuilder(URI.create(redirect.location())).GET());
    }

    /** Submits the (first) form of a page, e.g. the consent form with {@code accept=Yes}. */
    public Step submit(Step page, Map<String, String> fields) {
        Matcher m = FORM_ACTION.matcher(page.html());
        if (!m.find()) {
            throw new AssertionError("No form on the page (status " + page.status() + "):\n" + page.html());
        }
        URI action = URI.create(m.group(1).replace("&amp;", "&"));
        return send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
    }

    private Step send(HttpRequest.Builder request) {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (value.isEmpty() || setCookie.toLowerCase(Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return new Step(response.statusCode(), response.headers().firstValue("Location").orElse(null), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
