package dev.rewind.benchmarks.rewind;

import dev.rewind.AppendResult;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.OrderViews;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.storage.file.Durability;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.FileStorageStats;
import dev.rewind.storage.memory.InMemoryProjectionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The projection runtime's phases, on the file store: start-up from a snapshot at the head (against
 * today's replay from position 0), temporal queries from kept past states, asynchronous catch-up
 * (against the synchronous rebuild), and the durable 16-writer load with three asynchronous projections
 * attached (append rate, and the lag from acknowledgement to visibility).
 *
 * <p>Two projections are measured where the size of the state matters: the workload's views, whose
 * order totals grow with the history (N/10 orders), and {@link RevenueOnly}, whose state does not.
 */
final class RuntimePhases {
    private static final Duration WAIT = Duration.ofMinutes(30);
    private final Map<String, Double> extras;
    private final FilePhases files;

    RuntimePhases(Map<String, Double> extras, FilePhases files) {
        this.extras = extras;
        this.files = files;
    }

    /** Asynchronous, a checkpoint and snapshot every 50,000 events or 30 s, and one at close. */
    private static ProjectionSettings snapshotted() {
        return ProjectionSettings.async();
    }

    /**
     * Fails the phase unless the seeding left each projection a snapshot at the head: without it a start
     * replays from position 0 and the phase would measure the replay it is compared with.
     */
    private static void requireSnapshotAtHead(Path dir, long head, String... names) {
        try (FileStorage storage = FileStorage.open(dir)) {
            for (String name : names) {
                Checkpoint cp = storage.projectionStore().load(name).orElseThrow(() -> new IllegalStateException(
                        "projection '" + name + "' left no checkpoint in " + dir));
                if (!cp.hasSnapshot() || cp.position() != head - 1) {
                    throw new IllegalStateException("projection '" + name + "' saved its checkpoint at position "
                            + cp.position() + (cp.hasSnapshot() ? "" : " without a snapshot") + ", not a snapshot at the"
                            + " head (" + (head - 1) + ")");
                }
            }
        }
    }

    /**
     * Seeds N events, lets both projections catch up asynchronously and save a snapshot at the head, then
     * measures, per iteration: the store's open (apart), then from the open store to the first query
     * answered from the restored snapshot. The limit beside it is today's way: synchronous, replayed from
     * position 0 at start.
     */
    Iteration startup(int n) throws IOException {
        Path dir = files.seeded(n, false, false);
        try (Rewind rewind = RewindSide.builder().storage(FileStorage.open(dir)).projection(RewindViews.class)
                .projection(RevenueOnly.class).projectionSettings(RewindViews.NAME, snapshotted())
                .projectionSettings(RevenueOnly.NAME, snapshotted()).build()) {
            long t0 = System.nanoTime();
            rewind.projections().state(RewindViews.NAME, ReadPoint.atLeast(n - 1).within(WAIT));
            rewind.projections().state(RevenueOnly.NAME, ReadPoint.atLeast(n - 1).within(WAIT));
            extras.put("asynchronous catch-up of both projections while seeding the snapshot, s", (System.nanoTime() - t0) / 1e9);
        }
        requireSnapshotAtHead(dir, n, RewindViews.NAME, RevenueOnly.NAME);
        Expected expected = Expected.of(n, false);
        return new Iteration() {
            private double limit = Double.NaN;

            @Override
            public double run() {
                double ms = firstQuery(dir, RewindViews.NAME, true, expected);
                extras.put("revenue_only (a state of 3 entries): store open to first query, snapshot at the head, ms",
                        firstQuery(dir, RevenueOnly.NAME, true, expected));
                limit = firstQuery(dir, RewindViews.NAME, false, expected);
                extras.put("revenue_only: store open to first query, replayed from position 0 (today), ms",
                        firstQuery(dir, RevenueOnly.NAME, false, expected));
                return ms;
            }

            @Override
            public double limit() {
                return limit;
            }
        };
    }

    /** One start: open the store, start Rewind with one projection, answer one query; returns ms from open to answer. */
    private double firstQuery(Path dir, String name, boolean fromSnapshot, Expected expected) {
        Measure.fullGc();
        long t0 = System.nanoTime();
        FileStorage storage = FileStorage.open(dir);
        long opened = System.nanoTime();
        extras.put("store open (" + (fromSnapshot ? "snapshot" : "replay") + " run), ms", (opened - t0) / 1e6);
        Rewind.Builder b = RewindSide.builder().storage(storage)
                .projection(name.equals(RewindViews.NAME) ? RewindViews.class : RevenueOnly.class);
        if (fromSnapshot) {
            b.projectionSettings(name, snapshotted());
        } else {
            b.projectionStore(new InMemoryProjectionStore()); // nothing to restore: today's start, from position 0
        }
        try (Rewind rewind = b.build()) {
            long head = rewind.store().nextPosition();
            Object state = rewind.projections().state(name, ReadPoint.atLeast(head - 1).within(WAIT));
            double ms = (System.nanoTime() - opened) / 1e6;
            if (state instanceof OrderViews views) {
                expected.verify(views, "Rewind start-up (" + (fromSnapshot ? "snapshot" : "replay") + ")");
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Long> revenue = (Map<String, Long>) state;
                expected.verifyRevenue(revenue, "Rewind start-up, revenue only");
            }
            return ms;
        }
    }

    /**
     * Temporal query as of the instant of event N/2, from kept past states: the views keep one every N/100
     * events, revenue_only one every 10,000; both catch up (and keep them) before the measure. The figure is
     * a typed query by key: five order totals (seeded, existing orders, others each iteration), the whole
     * query timed. The extras keep the untyped whole-state {@code stateAt} (the state is read by key, so this
     * is now the read of the past state's bytes) and a query that iterates the whole past state (the sum of
     * every order total: every entry decoded), so the full cost stays visible.
     */
    Iteration temporal(int n) throws IOException {
        Path dir = files.seeded(n, false, true);
        // -Dbench.history.divisor: a past state every N/that events (100 by default; to see what the tail costs)
        long every = Math.max(1_000, n / Long.getLong("bench.history.divisor", 100));
        Rewind rewind = RewindSide.builder().storage(FileStorage.open(dir)).projection(RewindViews.class)
                .projection(RevenueOnly.class)
                .projectionSettings(RewindViews.NAME, snapshotted().history(every, 200, 16L << 30))
                .projectionSettings(RevenueOnly.NAME, snapshotted().history(10_000, n / 10_000 + 10, 1L << 30))
                .build();
        long t0 = System.nanoTime();
        rewind.projections().state(RewindViews.NAME, ReadPoint.atLeast(n - 1).within(WAIT));
        rewind.projections().state(RevenueOnly.NAME, ReadPoint.atLeast(n - 1).within(WAIT));
        extras.put("catch-up keeping past states, s", (System.nanoTime() - t0) / 1e9);
        EventStore store = rewind.store();
        Instant at = store.readAll(n / 2, 1).get(0).recordedAt();
        ReadPoint asOf = ReadPoint.at(at);
        int orders = n / 2 / Workload.EVENTS_PER_ORDER + 1;
        Expected expected = Expected.upTo(n, orders, false);
        Random random = new Random(15L);
        return () -> {
            String[] ids = new String[5];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = "order-" + random.nextInt(orders);
            }
            long start = System.nanoTime();
            Long[] totals = rewind.projections().query(RewindViews.class, asOf, v -> {
                Long[] out = new Long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    out[i] = v.total(ids[i]);
                }
                return out;
            });
            double ms = (System.nanoTime() - start) / 1e6;
            for (int i = 0; i < ids.length; i++) {
                expected.verifyTotal(ids[i], totals[i], "Rewind temporal query by key from past states");
            }

            long w0 = System.nanoTime();
            OrderViews views = rewind.projections().stateAt(RewindViews.NAME, at);
            extras.put("untyped stateAt of the whole past state (its maps read by key, not iterated), ms",
                    (System.nanoTime() - w0) / 1e6);
            expected.verifyTotals(new HashMap<>(views.totals()), "Rewind temporal from past states");

            long i0 = System.nanoTime();
            long sum = rewind.projections().query(RewindViews.class, asOf, RewindViews::sumOfTotals);
            extras.put("temporal query iterating the whole past state (sum of every order total), ms",
                    (System.nanoTime() - i0) / 1e6);
            expected.verifyTotalsSum(sum, "Rewind temporal, whole past state iterated");

            long r0 = System.nanoTime();
            Map<String, Long> revenue = rewind.projections().stateAt(RevenueOnly.NAME, at);
            extras.put("revenue_only (a state of 3 entries): temporal query at N/2, ms", (System.nanoTime() - r0) / 1e6);
            expected.verifyRevenue(revenue, "Rewind temporal, revenue only");
            return ms;
        };
    }

    /**
     * An asynchronous projection catching up from position 0 on a file store of N events (events/s, from
     * {@code build()} on the open store to the query that includes the last event); the limit beside it is
     * today's synchronous catch-up of the same projection on the same store, measured next the same way.
     */
    Iteration asyncCatchUp(int n) throws IOException {
        Path dir = files.seeded(n, false, false);
        Expected expected = Expected.of(n, false);
        return new Iteration() {
            private double limit = Double.NaN;

            @Override
            public double run() {
                double rate = catchUp(ProjectionSettings.async().noSnapshots(), "asynchronous");
                limit = catchUp(ProjectionSettings.sync(), "synchronous");
                return rate;
            }

            private double catchUp(ProjectionSettings settings, String how) {
                Measure.fullGc();
                FileStorage storage = FileStorage.open(dir);
                long t0 = System.nanoTime();
                try (Rewind rewind = RewindSide.builder().storage(storage).projection(RewindViews.class)
                        .projectionSettings(RewindViews.NAME, settings).projectionStore(new InMemoryProjectionStore())
                        .build()) {
                    OrderViews views = rewind.projections().state(RewindViews.NAME, ReadPoint.atLeast(n - 1).within(WAIT));
                    double rate = Measure.rate(n, t0);
                    expected.verify(views, "Rewind " + how + " catch-up");
                    return rate;
                }
            }

            @Override
            public double limit() {
                return limit;
            }
        };
    }

    /**
     * 16 writers append orders durably for {@code bench.durable.ms} with three asynchronous projections
     * attached (the views, revenue_only, and a probe noting when each order became visible); the figure is
     * the append rate, the extras the lag from acknowledgement to visibility, p50 and p99.
     *
     * <p>Each iteration also runs the same writers with nothing attached, in this JVM, right before or
     * right after (alternating): that is its {@link Iteration#limit()}, and the target is the ratio of the
     * two. Compared across phases, the two figures were measured in different JVMs a minute or more apart,
     * and on a shared host whose rate swung by half between such runs the host, not the projections,
     * decided the ratio.
     * {@code -Dbench.linger.ms} and {@code -Dbench.snapshot.events} (0: none) measure other settings.
     */
    Iteration durableWithAsync(int writers) {
        long millis = Long.getLong("bench.durable.ms", 3300);
        List<Order> orders = Workload.orders(100_000);
        return new Iteration() {
            private int round;
            private double none = Double.NaN;

            @Override
            public double run() throws Exception {
                boolean noneFirst = round % 2 == 0; // alternating: neither run always finds the other's garbage
                String prefix = "a" + round++;
                if (noneFirst) {
                    none = withNone(writers, millis, orders, prefix + "n");
                }
                double rate = withAsync(writers, millis, orders, prefix);
                if (!noneFirst) {
                    none = withNone(writers, millis, orders, prefix + "n");
                }
                return rate;
            }

            @Override
            public double limit() {
                return none;
            }
        };
    }

    /** The same writers on a fresh durable store with nothing attached, as {@code DURABLE_16} runs them: the rate. */
    private double withNone(int writers, long millis, List<Order> orders, String prefix) throws Exception {
        Measure.fullGc();
        FilePhases.Timed t = FilePhases.timedAppends(writers, millis, orders, prefix, Durability.FSYNC);
        commits("none attached", t.stats(), millis);
        return t.done().rate();
    }

    private double withAsync(int writers, long millis, List<Order> orders, String prefix) throws Exception {
        Measure.fullGc();
        Path dir = Files.createTempDirectory("rewind-durable-async");
        AtomicLongArray ackedAt = new AtomicLongArray(LagProbe.CAPACITY);
        for (int i = 0; i < LagProbe.CAPACITY; i++) {
            LagProbe.APPLIED_AT.set(i, 0);
        }
        ProjectionSettings async = ProjectionSettings.async();
        String linger = System.getProperty("bench.linger.ms");
        if (linger != null) {
            async = async.linger(Duration.ofMillis(Long.parseLong(linger)));
        }
        String snapshotEvents = System.getProperty("bench.snapshot.events");
        if (snapshotEvents != null) {
            long every = Long.parseLong(snapshotEvents);
            async = every == 0 ? async.noSnapshots() : async.snapshotEvery(every, async.snapshotEveryTime());
        }
        FileStorage storage = FileStorage.builder(dir).durability(Durability.FSYNC).open();
        // which of the three are attached (for finding what costs the writers): views, revenue, lag
        List<String> attached = List.of(System.getProperty("bench.async.projections", "views,revenue,lag").split(","));
        Rewind.Builder builder = RewindSide.builder().storage(storage);
        List<String> names = new java.util.ArrayList<>();
        if (attached.contains("views")) {
            builder.projection(RewindViews.class).projectionSettings(RewindViews.NAME, async);
            names.add(RewindViews.NAME);
        }
        if (attached.contains("revenue")) {
            builder.projection(RevenueOnly.class).projectionSettings(RevenueOnly.NAME, async);
            names.add(RevenueOnly.NAME);
        }
        if (attached.contains("lag")) {
            builder.projection(LagProbe.class).projectionSettings(LagProbe.NAME, async);
            names.add(LagProbe.NAME);
        }
        try (Rewind rewind = builder.build()) {
            EventStore store = rewind.store();
            Measure.Writers done = Measure.timedWriters(writers, millis, orders, prefix, (stream, o) -> {
                AppendResult r = store.append(stream, ExpectedVersion.noStream(), o.events());
                long p = r.lastPosition();
                if (p < LagProbe.CAPACITY) {
                    ackedAt.set((int) p, System.nanoTime());
                }
            });
            commits("3 async projections", storage.stats(), millis);
            long head = store.nextPosition();
            for (String name : names) {
                rewind.projections().state(name, ReadPoint.atLeast(head - 1).within(WAIT));
            }
            if (names.contains(LagProbe.NAME)) {
                lags(ackedAt, head);
            }
            return done.rate();
        } finally {
            FilePhases.delete(dir);
        }
    }

    /** Totals of the writers' commits per kind of run (fsyncs, their nanoseconds, events, seconds): all runs so far. */
    private final Map<String, double[]> commitTotals = new java.util.HashMap<>();

    /**
     * How the writers' commits went, over all runs of each kind so far: what an attached projection may change.
     * A cycle of the group commit is its fsync and the work between two fsyncs (the writers' turn on the cores);
     * both are given per fsync, so a longer fsync and a longer turn can be told apart.
     */
    private void commits(String which, FileStorageStats stats, long millis) {
        double[] t = commitTotals.computeIfAbsent(which, k -> new double[4]);
        t[0] += stats.fsyncs();
        t[1] += stats.fsyncNanos();
        t[2] += stats.events();
        t[3] += millis / 1000.0;
        double fsyncs = Math.max(1, t[0]);
        extras.put("fsyncs/s, " + which, t[0] / t[3]);
        extras.put("events per fsync, " + which, t[2] / fsyncs);
        extras.put("share of the time in fsync, " + which, t[1] / 1e9 / t[3]);
        extras.put("fsync, ms each, " + which, t[1] / 1e6 / fsyncs);
        extras.put("between two fsyncs, ms, " + which, (t[3] * 1e3 - t[1] / 1e6) / fsyncs);
    }

    private void lags(AtomicLongArray ackedAt, long head) {
        int limit = (int) Math.min(head, LagProbe.CAPACITY);
        long[] lags = new long[limit];
        int count = 0;
        for (int p = 0; p < limit; p++) {
            long acked = ackedAt.get(p);
            long applied = LagProbe.APPLIED_AT.get(p);
            if (acked != 0 && applied != 0) {
                lags[count++] = Math.max(0, applied - acked); // visible before the writer returned: no lag
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no order was seen both acknowledged and applied");
        }
        Arrays.sort(lags, 0, count);
        extras.put("lag, append acknowledged to visible in an asynchronous projection, p50 ms", lags[count / 2] / 1e6);
        extras.put("lag, append acknowledged to visible in an asynchronous projection, p99 ms",
                lags[(int) Math.min(count - 1, Math.round(count * 0.99))] / 1e6);
        extras.put("lag samples (orders)", (double) count);
    }
}
