package dev.kcintegrations.callout;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Client credentials from an {@code Authorization: Basic} header, decoded strictly from either Base64
 * alphabet (RFC 4648 §4 standard or §5 URL-safe), padded or not.
 *
 * <p>Why not Keycloak's own decoder: it silently drops {@code -} and {@code _}, so a callout client that
 * encodes with Ruby's {@code Base64.urlsafe_encode64} gets its credentials corrupted instead of refused
 * or accepted. Mixing both alphabets in one value is refused: no encoder produces it.
 *
 * <p>RFC 6749 §2.3.1 clients form-url-encode id and secret before encoding; the Coupa client does not.
 * Both are served by {@link #clientIdCandidates()} and {@link #secretCandidates()}: the value as sent
 * first, then its form-url-decoded form when that differs.
 */
public record BasicCredentials(String clientId, String secret) {

    private static final String SCHEME = "basic";

    /** The header does not carry well-formed Basic credentials; the message says why, never what. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /** @return whether this header value claims the Basic scheme (case-insensitive, RFC 7617) */
    public static boolean isBasic(String authorization) {
        if (authorization == null) {
            return false;
        }
        String trimmed = authorization.strip();
        return trimmed.length() >= SCHEME.length()
                && trimmed.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)
                && (trimmed.length() == SCHEME.length() || trimmed.charAt(SCHEME.length()) == ' ');
    }

    public static BasicCredentials parse(String authorization) throws MalformedException {
        if (!isBasic(authorization)) {
            throw new MalformedException("Authorization header is not HTTP Basic");
        }
        String token = authorization.strip().substring(SCHEME.length()).strip();
        if (token.isEmpty()) {
            throw new MalformedException("Basic credentials are empty");
        }
        String text = strictUtf8(decodeBase64(token));
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new MalformedException("Basic credentials have no ':' between client id and secret");
        }
        if (colon == 0) {
            throw new MalformedException("Basic credentials have an empty client id");
        }
        return new BasicCredentials(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The client id as sent, then form-url-decoded if that differs. */
    public List<String> clientIdCandidates() {
        return asSentThenFormDecoded(clientId);
    }

    /** The secret as sent, then form-url-decoded if that differs. */
    public List<String> secretCandidates() {
        return asSentThenFormDecoded(secret);
    }

    static List<String> asSentThenFormDecoded(String value) {
        List<String> candidates = new ArrayList<>(2);
        candidates.add(value);
        if (value.indexOf('%') >= 0 || value.indexOf('+') >= 0) {
            try {
                String decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
                if (!decoded.equals(value)) {
                    candidates.add(decoded);
                }
            } catch (IllegalArgumentException notFormEncoded) {
                // a literal '%' not followed by two hex digits: the value can only be meant as sent
            }
        }
        return candidates;
    }

    private static byte[] decodeBase64(String token) throws MalformedException {
        boolean standard = false;
        boolean urlSafe = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '+' || c == '/') {
                standard = true;
            } else if (c == '-' || c == '_') {
                urlSafe = true;
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '=')) {
                throw new MalformedException("Basic credentials are not Base64");
            }
        }
        if (standard && urlSafe) {
            throw new MalformedException("Basic credentials mix the standard and URL-safe Base64 alphabets");
        }
        try {
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(token);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("Basic credentials are not valid Base64");
        }
    }

    private static String strictUtf8(byte[] bytes) throws MalformedException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("Basic credentials are not UTF-8");
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[clientId=" + clientId + ", secret=***]";
    }
}
