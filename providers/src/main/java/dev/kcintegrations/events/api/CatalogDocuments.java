package dev.kcintegrations.events.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kcintegrations.events.config.Correlation;
import dev.kcintegrations.events.topics.EventTypeFilter;
import dev.kcintegrations.events.topics.Topic;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The event catalog's documents, built once per what they are a function of (the realm, its URL, the topics
 * the token reads as they are declared now, and the query) and served from memory: a weak {@code ETag} that a
 * client's {@code If-None-Match} turns into a {@code 304}, gzip when the client accepts it, and a private
 * {@code max-age}. The AsyncAPI document of every topic is about 1 MB of JSON and 50 ms of CPU to build, and
 * readers fetch it again and again. Bounded by bytes kept; a key no request asks for leaves after an hour.
 */
final class CatalogDocuments {

    /** Bytes kept at most, identity and gzip together: some dozens of whole catalogs. */
    static final long MAX_BYTES = 48L * 1024 * 1024;
    /** How long a client may use its copy without asking again; with the ETag, asking again is cheap. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    record Document(MediaType type, byte[] json, byte[] gzip, String etag) {
        int weight() {
            return json.length + gzip.length;
        }
    }

    private static final Cache<String, Document> CACHE = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((String key, Document document) -> document.weight())
            .expireAfterAccess(Duration.ofHours(1))
            .build();

    private CatalogDocuments() {
    }

    /** The document for {@code key}, built by {@code build} when there is none (a refusal it throws is not kept). */
    static Document get(String key, MediaType type, Supplier<Object> build) {
        return CACHE.get(key, k -> document(type, build.get()));
    }

    static Response respond(Document document, HttpHeaders request, String correlationId) {
        Response.ResponseBuilder answer;
        if (matches(request.getHeaderString(HttpHeaders.IF_NONE_MATCH), document.etag())) {
            answer = Response.notModified();
        } else if (acceptsGzip(request.getHeaderString(HttpHeaders.ACCEPT_ENCODING))) {
            answer = Response.ok(document.gzip()).type(document.type()).header("Content-Encoding", "gzip");
        } else {
            answer = Response.ok(document.json()).type(document.type());
        }
        return answer.header(HttpHeaders.ETAG, document.etag())
                .header(HttpHeaders.CACHE_CONTROL, "private, max-age=" + MAX_AGE.toSeconds())
                .header(HttpHeaders.VARY, "Authorization, Accept-Encoding")
                .header(Correlation.HEADER, correlationId)
                .build();
    }

    private static Document document(MediaType type, Object body) {
        byte[] json;
        try {
            json = StrictJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Catalog documents always serialise", e);
        }
        return new Document(type.withCharset("utf-8"), json, gzip(json), etag(json));
    }

    /** Weak: the gzipped and the identity bytes are the same document. */
    private static String etag(byte[] json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return "W/\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 8);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** RFC 9110 §13.1.2: a list of entity tags or {@code *}, compared weakly. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.length() > 4096) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || opaque(tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** {@code gzip} listed without {@code q=0}. */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.length() > 1024) {
            return false;
        }
        for (String coding : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] parts = coding.strip().split(";");
            if (parts[0].strip().equals("gzip")) {
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].replace(" ", "");
                    if (parameter.matches("q=0(\\.0{0,3})?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** What a document is a function of, as one key. */
    static String key(String realmId, Object realmUrl, List<Topic> topics, String... query) {
        StringBuilder key = new StringBuilder(realmId).append('\n').append(realmUrl);
        for (Topic topic : topics) {
            key.append('\n').append(topic.name()).append(' ').append(topic.scope()).append(' ').append(topic.source())
                    .append(' ').append(topic.eventTypes().map(EventTypeFilter::source).orElse(""));
        }
        for (String part : query) {
            key.append('\n').append(part);
        }
        return key.toString();
    }
}
