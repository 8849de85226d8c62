package dev.kcintegrations.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** A plain HTTP client for tests, as any client of the server would be. */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JWT = Pattern.compile("eyJ[\\w-]*\\.[\\w-]*\\.[\\w-]*");

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** An answer: status, headers (lower-case names) and body. */
    public record Reply(int status, Map<String, List<String>> headers, String body) {

        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /**
         * The body for an assertion's message, every JWT in it replaced: a test that expected a refusal and got
         * a token must not print the token into the build's log.
         */
        public String shown() {
            return body == null ? null : JWT.matcher(body).replaceAll("<a JWT, not shown>");
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }
    }

    private Http() {
    }

    public static Reply send(String method, URI uri, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        try {
            HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Map<String, List<String>> lower = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
            return new Reply(response.statusCode(), lower, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply post(URI uri, Map<String, String> headers, String body) {
        return send("POST", uri, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply get(URI uri, Map<String, String> headers) {
        return send("GET", uri, headers, null);
    }
}
