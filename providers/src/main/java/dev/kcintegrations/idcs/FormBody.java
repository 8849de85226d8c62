package dev.kcintegrations.idcs;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An {@code application/x-www-form-urlencoded} body kept as sent: one field can be replaced while every other
 * byte stays as the client wrote it.
 */
final class FormBody {

    private record Field(String raw, String name, String value) {
    }

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private final List<Field> fields;

    private FormBody(List<Field> fields) {
        this.fields = fields;
    }

    /** Null when the body does not decode (Keycloak then refuses it on its own terms). */
    static FormBody parse(String body) {
        List<Field> fields = new ArrayList<>();
        if (body.isEmpty()) {
            return new FormBody(fields);
        }
        try {
            for (String raw : body.split("&", -1)) {
                int equals = raw.indexOf('=');
                String name = decode(equals < 0 ? raw : raw.substring(0, equals));
                String value = equals < 0 ? "" : decode(raw.substring(equals + 1));
                fields.add(new Field(raw, name, value));
            }
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        return new FormBody(fields);
    }

    static String decode(String encoded) {
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }

    /** Whether any name or value holds a control character, which Keycloak strips before it reads the form. */
    boolean hasControlCharacters() {
        return fields.stream().anyMatch(f -> CONTROL.matcher(f.name()).find() || CONTROL.matcher(f.value()).find());
    }

    int count(String name) {
        return (int) fields.stream().filter(f -> f.name().equals(name)).count();
    }

    String first(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).map(Field::value).findFirst().orElse(null);
    }

    List<String> all(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).map(Field::value).toList();
    }

    /** The body with the (single) field {@code name} set to {@code value}; an empty value drops the field. */
    String with(String name, String value) {
        return fields.stream()
                .map(f -> !f.name().equals(name) ? f.raw()
                        : value.isEmpty() ? null
                        : URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8))
                .filter(Objects::nonNull)
                .collect(Collectors.joining("&"));
    }
}
