package dev.kcintegrations.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Runs one request kind with a fixed number of concurrent workers for a fixed number of requests and
 * reports throughput and latency percentiles. A request is an {@link IntPredicate} that returns whether
 * the answer was the expected one; failures are counted, not timed away.
 */
final class LoadRun {

    /** What one or more runs measured: every latency (ns) and the time spent. */
    record Result(String name, long[] latencies, int failures, double seconds) {

        Result merge(Result other) {
            long[] all = Arrays.copyOf(latencies, latencies.length + other.latencies.length);
            System.arraycopy(other.latencies, 0, all, latencies.length, other.latencies.length);
            return new Result(name, all, failures + other.failures, seconds + other.seconds);
        }

        int requests() {
            return latencies.length;
        }

        double throughput() {
            return latencies.length / seconds;
        }

        /** @param q quantile in (0, 1); milliseconds */
        double percentile(double q) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.floor(sorted.length * q))] / 1e6;
        }
    }

    private LoadRun() {
    }

    static Result run(String name, int workers, int requests, IntPredicate request) throws Exception {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < requests) {
                    long t0 = System.nanoTime();
                    if (!request.test(i)) {
                        failures.incrementAndGet();
                    }
                    latencies[i] = System.nanoTime() - t0;
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(name, latencies, failures.get(), seconds);
    }
}
