package dev.kcintegrations.callout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kcintegrations.shared.OAuthError;
import dev.kcintegrations.shared.StrictJson;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of a token request, from an {@code application/x-www-form-urlencoded} or an
 * {@code application/json} body (a callout client may send either), with or without a charset.
 * A parameter given twice is refused (RFC 6749 §3.2), as is any JSON value that is not a string.
 */
public record TokenRequestBody(Map<String, String> parameters) {

    public TokenRequestBody {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public String get(String name) {
        return parameters.get(name);
    }

    public boolean has(String name) {
        return parameters.containsKey(name);
    }

    /** The two body formats a callout client sends. */
    public enum Format { FORM, JSON }

    /**
     * @return the format of a request with this {@code Content-Type}
     * @throws OAuthError 415 for a missing, malformed or other media type, or an unknown charset
     */
    public static Format format(String contentType) {
        MediaType mediaType = mediaType(contentType);
        charset(mediaType);
        if (mediaType.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            return Format.FORM;
        }
        if (mediaType.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            return Format.JSON;
        }
        throw unsupported("Content-Type must be application/x-www-form-urlencoded or application/json");
    }

    /** Form parameters as Keycloak decoded them; a parameter given twice is refused. */
    public static TokenRequestBody fromForm(MultivaluedMap<String, String> form) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> entry : form.entrySet()) {
            if (entry.getValue().size() != 1) {
                throw OAuthError.invalidRequest("Duplicate parameter: " + printable(entry.getKey()));
            }
            parameters.put(entry.getKey(), entry.getValue().get(0));
        }
        return new TokenRequestBody(parameters);
    }

    /** A JSON object of string values, decoded with the charset of {@code contentType} (UTF-8 if none). */
    public static TokenRequestBody fromJson(String contentType, byte[] body) {
        return parseJson(new String(body, charset(mediaType(contentType))));
    }

    private static MediaType mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw unsupported("Content-Type is missing; use application/x-www-form-urlencoded or application/json");
        }
        try {
            MediaType type = MediaType.valueOf(contentType.strip());
            if (type.isWildcardType() || type.isWildcardSubtype()) {
                throw unsupported("Content-Type must be application/x-www-form-urlencoded or application/json");
            }
            return type;
        } catch (IllegalArgumentException e) {
            throw unsupported("Content-Type is malformed");
        }
    }

    private static Charset charset(MediaType type) {
        String name = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name.strip().replace("\"", ""));
        } catch (IllegalArgumentException e) {
            throw unsupported("Unsupported charset");
        }
    }

    private static TokenRequestBody parseJson(String body) {
        JsonNode root;
        try {
            root = StrictJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
                throw OAuthError.invalidRequest("Duplicate parameter in JSON body");
            }
            throw OAuthError.invalidRequest("Malformed JSON body");
        }
        if (root == null || !root.isObject()) {
            throw OAuthError.invalidRequest("JSON body must be an object");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw OAuthError.invalidRequest("JSON parameter '" + printable(field.getKey()) + "' must be a string");
            }
            parameters.put(field.getKey(), field.getValue().textValue());
        }
        return new TokenRequestBody(parameters);
    }

    private static OAuthError unsupported(String description) {
        return new OAuthError(Response.Status.UNSUPPORTED_MEDIA_TYPE, "invalid_request", description, "invalid_request");
    }

    /** Parameter names are echoed in errors: keep them short and printable. */
    private static String printable(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
