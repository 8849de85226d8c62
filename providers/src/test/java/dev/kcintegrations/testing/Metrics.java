package dev.kcintegrations.testing;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Keycloak's Prometheus endpoint (management port, {@code /metrics}). */
public final class Metrics {

    private Metrics() {
    }

    /** The sum of the series of {@code name} whose labels contain every one of {@code labels} (e.g. {@code outcome="delivered"}). */
    public static double sum(Keycloak keycloak, String name, String... labels) {
        String body = Http.get(keycloak.managementUrl().resolve("/metrics"), Map.of()).body();
        double total = 0;
        Matcher lines = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)})?\\s+([0-9.Ee+-]+)$").matcher(body);
        while (lines.find()) {
            String found = lines.group(1) == null ? "" : lines.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                total += Double.parseDouble(lines.group(2));
            }
        }
        return total;
    }
}
