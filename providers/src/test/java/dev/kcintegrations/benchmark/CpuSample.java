package dev.kcintegrations.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of every process on this machine (Linux {@code /proc}), for {@code -Dbench.profile}: where the cores
 * went during a drain, per Java process and for PostgreSQL's backends together.
 */
record CpuSample(long wallNanos, Map<Long, Long> ticks, Map<Long, String> names) {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    static CpuSample take() {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(p.getFileName().toString());
                    ticks.put(pid, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                    names.put(pid, comm.equals("java") ? "java " + pid + (pid == ProcessHandle.current().pid() ? " (bench)" : "") : comm);
                    if (comm.equals("java") && Boolean.getBoolean("bench.threads")) {
                        try (Stream<Path> tasks = Files.list(p.resolve("task"))) {
                            tasks.forEach(t -> {
                                try {
                                    String ts = Files.readString(t.resolve("stat"));
                                    String tcomm = ts.substring(ts.indexOf('(') + 1, ts.lastIndexOf(')')).replaceAll("[0-9]+", "N");
                                    String[] tf = ts.substring(ts.lastIndexOf(')') + 2).split(" ");
                                    long key = -(pid * 1_000_000L + Long.parseLong(t.getFileName().toString()));
                                    ticks.put(key, Long.parseLong(tf[11]) + Long.parseLong(tf[12]));
                                    names.put(key, "  " + pid + "/" + tcomm + " [u" + tf[11] + " s" + tf[12] + "]");
                                } catch (IOException | RuntimeException e) {
                                    // ended
                                }
                            });
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new CpuSample(System.nanoTime(), ticks, names);
    }

    /** Cores used since {@code before}, per process name (PostgreSQL's backends summed), the busiest first. */
    String since(CpuSample before) {
        double seconds = (wallNanos - before.wallNanos) / 1e9;
        Map<String, Double> cores = new TreeMap<>();
        ticks.forEach((pid, now) -> {
            long used = now - before.ticks.getOrDefault(pid, 0L);
            if (used > 0) {
                String name = names.get(pid);
                if (pid < 0) {
                    name = name.substring(0, name.indexOf(" [u"));
                }
                cores.merge(name, used / TICKS_PER_SECOND / seconds, Double::sum);
            }
        });
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "cores used over %.1f s:", seconds));
        cores.entrySet().stream().filter(e -> e.getValue() >= 0.02).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.append(String.format(Locale.ROOT, " %s %.2f;", e.getKey(), e.getValue())));
        out.append(String.format(Locale.ROOT, " total %.2f", cores.entrySet().stream().filter(e -> !e.getKey().startsWith("  "))
                .mapToDouble(Map.Entry::getValue).sum()));
        return out.toString();
    }

    /** With {@code -Dbench.jfr=dir}: a flight recording of every other Java process, started now, dumped by {@link #stopRecordings}. */
    static void startRecordings() {
        jcmd("JFR.start name=drain settings=profile");
    }

    static void stopRecordings(String label) {
        jcmd("JFR.dump name=drain filename=" + System.getProperty("bench.jfr") + "/" + label + "-%p.jfr");
        jcmd("JFR.stop name=drain");
    }

    private static void jcmd(String command) {
        if (System.getProperty("bench.jfr") == null) {
            return;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        take().names().forEach((pid, name) -> {
            if (name.startsWith("java ") && pid != ProcessHandle.current().pid()) {
                try {
                    List<String> args = new ArrayList<>(List.of(jcmd, String.valueOf(pid)));
                    args.addAll(List.of(command.replace("%p", String.valueOf(pid)).split(" ")));
                    new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }
}
