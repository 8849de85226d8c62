package dev.kcintegrations.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every figure of the run in one Markdown table, each with its ratios to the baseline measured in the same
 * run, printed last so it can be pasted as it is.
 */
final class SummaryTable {

    private record Row(String group, String name, String unit, double rate, double p50, double p99,
                       String baseline, double baseRate, double baseP50, double baseP99) {
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String group, String name, String unit, double rate, double p50, double p99,
             String baseline, double baseRate, double baseP50, double baseP99) {
        rows.add(new Row(group, name, unit, rate, p50, p99, baseline, baseRate, baseP50, baseP99));
    }

    void print() {
        System.out.printf(Locale.ROOT, "%nAll figures (ratio = figure / baseline of the same run)%n");
        System.out.println("| benchmark | case | rate | p50 ms | p99 ms | rate × | p50 × | p99 × | baseline |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f %s | %s | %s | %.3f | %s | %s | %s |%n",
                    r.group(), r.name(), r.rate(), r.unit(), figure(r.p50(), "%.1f"), figure(r.p99(), "%.1f"), r.rate() / r.baseRate(),
                    ratio(r.p50(), r.baseP50()), ratio(r.p99(), r.baseP99()), r.baseline());
        }
    }

    /** A latency a case did not measure (0) shows as "–", and so does its ratio. */
    private static String figure(double value, String format) {
        return value == 0 ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static String ratio(double value, double base) {
        return value == 0 || base == 0 ? "–" : String.format(Locale.ROOT, "%.3f", value / base);
    }
}
