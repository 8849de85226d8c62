package dev.kcintegrations.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generated request: method, path below the realm, headers (duplicates allowed, printable ASCII only, as
 * any HTTP client sends them) and body bytes. {@code toString} is what jqwik prints for a failing case.
 */
record FuzzRequest(String method, String path, List<Header> headers, byte[] body) {

    record Header(String name, String value) {
    }

    FuzzRequest {
        headers = List.copyOf(headers);
    }

    @Override
    public String toString() {
        String text = new String(body, StandardCharsets.UTF_8);
        return method + " " + path + " " + headers + " body(" + body.length + " bytes)="
                + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }
}
