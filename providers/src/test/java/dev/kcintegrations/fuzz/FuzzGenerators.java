package dev.kcintegrations.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Building blocks of malformed input: junk text (any Unicode, HTTP and JSON punctuation, broken escapes),
 * raw bytes (invalid UTF-8), near-miss JSON documents, Basic and Bearer values, and header values. Webhook
 * endpoints are only loopback, private or malformed addresses: the server must never be led to resolve or
 * call a name outside this machine.
 */
final class FuzzGenerators {

    private FuzzGenerators() {
    }

    static Arbitrary<String> junk() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(120),
                Arbitraries.strings().withChars("%=&+:;,{}[]\"\\/ \t\r\n\u0000aZ09_-.~'<>#?@é€😀").ofMaxLength(80),
                Arbitraries.of("", " ", "%", "%zz", "%C3", "%C3%28", "\u0000", "null", "[]", "{}", "\"", "=", "&&", "a=b&a=c",
                        "\uD800", "\uFEFF{}", "%%%", "+", "%2"));
    }

    static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    static Arbitrary<String> printableAscii() {
        return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(100);
    }

    /** A JSON value of any type, or a broken one. */
    static Arbitrary<String> jsonValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1e309", "1.5", "{}", "[]", "[null]", "{\"a\":{}}", "\"\"", "{", "[", "\"unterminated"),
                Arbitraries.integers().map(String::valueOf),
                junk().map(FuzzGenerators::quoted),
                junk());
    }

    /** A JSON object made of the given fields, each one valid, replaced by junk, or left out; sometimes twice. */
    static Arbitrary<String> objectOf(Map<String, Arbitrary<String>> validFields) {
        List<Arbitrary<String>> members = new ArrayList<>();
        validFields.forEach((name, valid) -> members.add(Arbitraries.frequencyOf(
                Tuple.of(4, valid.map(v -> quoted(name) + ":" + v)),
                Tuple.of(2, jsonValue().map(v -> quoted(name) + ":" + v)),
                Tuple.of(1, Arbitraries.just("")),
                Tuple.of(1, valid.map(v -> quoted(name) + ":" + v + "," + quoted(name) + ":" + v)))));
        return Combinators.combine(members).as(parts -> parts.stream().filter(p -> !p.isEmpty())
                .collect(Collectors.joining(",", "{", "}")));
    }

    /** A body: a near-miss document most of the time, else junk text, raw bytes or an oversized body. */
    static Arbitrary<byte[]> body(Arbitrary<String> document) {
        return Arbitraries.frequencyOf(
                Tuple.of(6, document.map(FuzzGenerators::utf8)),
                Tuple.of(2, junk().map(FuzzGenerators::utf8)),
                Tuple.of(2, bytes()),
                Tuple.of(1, document.map(d -> utf8(d.substring(0, d.length() / 2)))),
                Tuple.of(1, Arbitraries.just(new byte[70 * 1024]).map(b -> {
                    byte[] big = b.clone();
                    Arrays.fill(big, (byte) 'a');
                    return big;
                })));
    }

    static Arbitrary<String> contentType() {
        return Arbitraries.oneOf(
                Arbitraries.of("application/json", "application/json; charset=UTF-8", "application/json; charset=bogus",
                        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=ISO-8859-1",
                        "text/plain", "multipart/form-data; boundary=x", "application/xml", "*/*", "application/", ";", "application/json;;;"),
                printableAscii());
    }

    static Arbitrary<String> basic(String validId, String validSecret) {
        Arbitrary<String> userPass = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.just(validId), junk()),
                Arbitraries.oneOf(Arbitraries.just(validSecret), junk()),
                Arbitraries.of(":", "", "::")).as((u, p, sep) -> u + sep + p);
        return Arbitraries.oneOf(
                userPass.map(s -> "Basic " + Base64.getEncoder().encodeToString(utf8(s))),
                userPass.map(s -> "Basic " + Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(s))),
                bytes().map(b -> "Basic " + Base64.getEncoder().encodeToString(b)),
                printableAscii().map(s -> "Basic " + s),
                printableAscii().map(s -> "Bearer " + s),
                printableAscii(),
                Arbitraries.of("Basic", "Basic ", "Basic ====", "basic Zm9vOmJhcg==", "Basic Zm9v", "Basic Og=="));
    }

    /** @param validToken read when a case is generated, so a token minted again in a long run is used */
    static Arbitrary<String> bearer(Supplier<String> validToken) {
        return Arbitraries.oneOf(
                Arbitraries.create(() -> "Bearer " + validToken.get()),
                Arbitraries.create(() -> "Bearer " + validToken.get().substring(0, validToken.get().length() - 3) + "abc"),
                printableAscii().map(s -> "Bearer " + s),
                Arbitraries.of("Bearer", "Bearer ", "bearer x.y.z", "Bearer a.b.c", "Basic Zm9vOmJhcg=="),
                printableAscii());
    }

    /** Only addresses that stay on this machine or are refused before any connection. */
    static Arbitrary<String> webhookEndpoint() {
        return Arbitraries.oneOf(
                Arbitraries.of("http://127.0.0.1:1/hook", "https://127.0.0.1:1/hook", "http://localhost:1/", "http://[::1]:1/",
                        "http://10.0.0.1/hook", "https://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
                        "https://user:pw@127.0.0.1:1/", "ftp://127.0.0.1/", "/relative", "https://", "http://127.0.0.1:99999/",
                        "https://[::ffff:10.0.0.1]/", "http://0.0.0.0:1/", "file:///etc/passwd", "javascript:alert(1)"),
                junk().map(j -> "http://127.0.0.1:1/" + URLEncoder.encode(j, StandardCharsets.UTF_8)))
                .map(FuzzGenerators::quoted);
    }

    static Arbitrary<String> pathSegment() {
        return Arbitraries.oneOf(
                Arbitraries.of("x", "public.test", "keycloak.user", "..", ".", "%2e%2e", "a".repeat(300), "%00", "webhook"),
                junk().map(j -> URLEncoder.encode(j, StandardCharsets.UTF_8).replace("+", "%20")));
    }

    static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
