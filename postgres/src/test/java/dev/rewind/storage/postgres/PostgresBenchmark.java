package dev.rewind.storage.postgres;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.contract.ContractFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the PostgreSQL storage on the server the tests use (not a test: run it by hand).
 * <ul>
 *   <li>durable append: 1, 4 and 16 writers, each appending 10-event batches to its own stream
 *       through the public store, time-boxed;</li>
 *   <li>serialized replay: 1,000,000 events read back in global order, once serialised from the
 *       storage's {@code read} and once decoded into event objects through {@code EventStore.replay}.</li>
 * </ul>
 *
 * <pre>
 * bash .ci/start-postgres.sh
 * mvn -q -B install -DskipTests -pl postgres -am
 * mvn -q -B -pl postgres exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.rewind.storage.postgres.PostgresBenchmark -Dexec.args="10 1000000"
 * </pre>
 * Arguments: seconds per append run (default 10), events to replay (default 1,000,000).
 */
public final class PostgresBenchmark {
    private static final int BATCH = 10;

    private PostgresBenchmark() {
    }

    /**
     * @param args seconds per append run, events to replay
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int replayEvents = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        System.out.printf("server %s, %d cores, load average %.1f%n", TestDatabase.URL,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (int writers : new int[] {1, 4, 16}) {
            append(writers, seconds);
        }
        replay(replayEvents);
    }

    private static void append(int writers, int seconds) throws Exception {
        PostgresStorage storage = TestDatabase.fresh("bench_append");
        storage.close();
        storage = TestDatabase.builder("bench_append").poolSize(writers + 2).pollInterval(Duration.ofSeconds(1)).build();
        try (Rewind rewind = ContractFixtures.builder().storage(storage).build()) {
            run(rewind, writers, 2); // warm-up
            long start = System.nanoTime();
            long[][] latencies = run(rewind, writers, seconds);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf(Locale.ROOT, "append %2d writers: %7.0f events/s (%6.0f batches/s of %d), latency p50 %.2f ms,"
                            + " p99 %.2f ms%n", writers, all.length * BATCH / elapsed, all.length / elapsed, BATCH,
                    all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
        }
    }

    /** Each writer appends 10-event batches to its own stream for {@code seconds}; returns the latencies. */
    private static long[][] run(Rewind rewind, int writers, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong seq = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String stream = "writer-" + w + "-" + seq.incrementAndGet();
            futures.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    List<Object> batch = new ArrayList<>(BATCH);
                    for (int i = 0; i < BATCH; i++) {
                        batch.add(new ContractFixtures.Added(stream, "sku-" + i, i * 100L));
                    }
                    long t0 = System.nanoTime();
                    rewind.store().append(stream, ExpectedVersion.any(), batch);
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = System.nanoTime() - t0;
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        long[][] out = new long[writers][];
        for (int w = 0; w < writers; w++) {
            out[w] = futures.get(w).get();
        }
        pool.shutdown();
        return out;
    }

    private static void replay(int events) {
        PostgresStorage storage = TestDatabase.builder("bench_replay").build();
        try (Rewind rewind = ContractFixtures.builder().storage(storage).build()) {
            long head = storage.nextPosition();
            if (head < events) {
                long t0 = System.nanoTime();
                fill(rewind, events - head);
                System.out.printf(Locale.ROOT, "filled %d events in %.1f s (1000-event batches)%n", events - head,
                        (System.nanoTime() - t0) / 1e9);
            }
            for (int round = 1; round <= 2; round++) {
                long t0 = System.nanoTime();
                long count = storage.read(0, events, e -> { });
                double raw = (System.nanoTime() - t0) / 1e9;
                long[] decoded = {0};
                t0 = System.nanoTime();
                rewind.store().replay(0, events, e -> decoded[0]++);
                double dec = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "replay round %d: %d raw records in %.1f s (%.0f/s); %d decoded events in"
                        + " %.1f s (%.0f/s)%n", round, count, raw, count / raw, decoded[0], dec, decoded[0] / dec);
            }
        }
    }

    private static void fill(Rewind rewind, long missing) {
        int batch = 1000;
        for (long done = 0; done < missing; done += batch) {
            int n = (int) Math.min(batch, missing - done);
            List<Object> events = new ArrayList<>(n);
            String stream = "fill-" + (done / 100_000);
            for (int i = 0; i < n; i++) {
                events.add(new ContractFixtures.Added(stream, "sku-" + (i % 50), done + i));
            }
            rewind.store().append(stream, ExpectedVersion.any(), events);
        }
    }
}
