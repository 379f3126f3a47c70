package dev.rewind.benchmarks.rewind;

import dev.rewind.AppendResult;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.Pg;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.OrderTotalsTable;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.storage.postgres.PostgresStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Rewind's phases on {@link PostgresStorage}: durable append with concurrent writers, serialized replay, a
 * table projection's catch-up.
 */
final class PgPhases {
    /** Events per append when seeding the replay phase (seeding is not measured). */
    static final int SEED_BATCH = 1000;
    private final Map<String, Double> extras;

    PgPhases(Map<String, Double> extras) {
        this.extras = extras;
    }

    static PostgresStorage storage(String schema, int poolSize) {
        return PostgresStorage.builder(Pg.url()).user(Pg.user()).password(Pg.password())
                .schema(schema).poolSize(poolSize).build();
    }

    /**
     * {@code writers} threads each append whole orders (10 events, one append, a new stream each) to
     * an emptied schema for {@code bench.pg.ms} (default 10,000) ms per iteration; every append is
     * committed before it returns. Verifies the store holds exactly the acknowledged events.
     */
    Iteration durable(int writers) {
        long millis = Long.getLong("bench.pg.ms", 10_000);
        List<Order> orders = Workload.orders(100_000);
        int[] round = {0};
        return () -> {
            String schema = Pg.schema("bench_durable");
            Pg.freshSchema(schema);
            try (Rewind rewind = RewindSide.builder().storage(storage(schema, writers + 1)).build()) {
                EventStore store = rewind.store();
                Measure.Writers done = Measure.timedWriters(writers, millis, orders, "r" + round[0]++,
                        (stream, o) -> store.append(stream, ExpectedVersion.noStream(), o.events()));
                double rate = done.rate();
                long[] stored = {0};
                store.replay(0, Long.MAX_VALUE, e -> stored[0]++);
                if (stored[0] != done.events()) {
                    throw new IllegalStateException("PostgreSQL durable append: the store holds " + stored[0]
                            + " events, the writers were acknowledged " + done.events());
                }
                return rate;
            }
        };
    }

    /**
     * Two application instances on one store: this JVM and a {@link PgPeers} JVM with the same flags,
     * {@code writers} threads each, appending whole orders as {@link #durable} does, started together
     * for {@code bench.pg.ms}. The figure is the sum of both instances' rates; the store must hold
     * exactly the events acknowledged to both.
     */
    Iteration durableTwoInstances(int writers) {
        long millis = Long.getLong("bench.pg.ms", 10_000);
        List<Order> orders = Workload.orders(100_000);
        int[] round = {0};
        return () -> {
            String schema = Pg.schema("bench_durable");
            Pg.freshSchema(schema);
            int r = round[0]++;
            try (Rewind rewind = RewindSide.builder().storage(storage(schema, writers + 1)).build();
                 Peer peer = new Peer(PgPeers.class, "writer", schema, Integer.toString(writers), Long.toString(millis),
                         "p" + r)) {
                peer.await("READY", 120);
                EventStore store = rewind.store();
                peer.send("GO");
                Measure.Writers done = Measure.timedWriters(writers, millis, orders, "r" + r,
                        (stream, o) -> store.append(stream, ExpectedVersion.noStream(), o.events()));
                String[] other = peer.await("DONE", millis / 1000 + 120).split(" ");
                long events = done.events() + Long.parseLong(other[1]);
                long[] stored = {0};
                store.replay(0, Long.MAX_VALUE, e -> stored[0]++);
                if (stored[0] != events) {
                    throw new IllegalStateException("PostgreSQL durable append, two instances: the store holds "
                            + stored[0] + " events, the writers were acknowledged " + events);
                }
                return done.rate() + Double.parseDouble(other[2]);
            }
        };
    }

    /**
     * Tailing latency: a {@link PgPeers} reader JVM subscribes to the store; {@code writers} threads here
     * append whole orders for {@code bench.pg.ms}, each noting the wall-clock time its append was
     * acknowledged; the reader notes when each event was given to its subscriber. The figure is the
     * {@code percentile} of (given - acknowledged) over the appends, in milliseconds (the two JVMs share
     * the machine's clock), after a warm-up window ({@code bench.pg.tail.warmup.ms}, 3 s) whose appends
     * are not counted. The reader must be given every acknowledged event.
     */
    Iteration tailing(int writers, double percentile) {
        long millis = Long.getLong("bench.pg.ms", 10_000);
        List<Order> orders = Workload.orders(100_000);
        int[] round = {0};
        return () -> {
            String schema = Pg.schema("bench_tail");
            Pg.freshSchema(schema);
            Path seenFile = Files.createTempFile("rewind-bench-tail-", ".txt");
            try (Rewind rewind = RewindSide.builder().storage(storage(schema, writers + 1)).build();
                 Peer reader = new Peer(PgPeers.class, "reader", schema, seenFile.toString())) {
                reader.await("READY", 120);
                EventStore store = rewind.store();
                // The reader JVM starts cold: its first deliveries load and compile the read and decode path
                // (hundreds of ms), which would be the p99. The same writers run for a warm-up window first,
                // whose appends the reader is given but the figure leaves out.
                String prefix = "t" + round[0]++;
                Measure.timedWriters(writers, Long.getLong("bench.pg.tail.warmup.ms", 3_000), orders, prefix + "w",
                        (stream, o) -> store.append(stream, ExpectedVersion.noStream(), o.events()));
                ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
                Measure.timedWriters(writers, millis, orders, prefix, (stream, o) -> {
                    AppendResult r = store.append(stream, ExpectedVersion.noStream(), o.events());
                    acks.add(new long[] {r.events().get(0).globalPosition(), PgPeers.nowMicros()});
                });
                reader.send("STOP " + store.nextPosition());
                reader.await("DONE", 180);
                Map<Long, Long> seen = new HashMap<>();
                for (String line : Files.readAllLines(seenFile)) {
                    String[] f = line.split(" ");
                    seen.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
                }
                List<Double> latencies = new ArrayList<>(acks.size());
                for (long[] ack : acks) {
                    Long at = seen.get(ack[0]);
                    if (at == null) {
                        throw new IllegalStateException("the reader was never given the event at position " + ack[0]);
                    }
                    latencies.add(Math.max(0, at - ack[1]) / 1000.0);
                }
                latencies.sort(null);
                double p50 = latencies.get(latencies.size() / 2);
                double p99 = latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.99) - 1));
                System.err.printf(Locale.ROOT, "  tailing: %d appends, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        latencies.size(), p50, p99, latencies.get(latencies.size() - 1));
                return percentile >= 99 ? p99 : p50;
            } finally {
                Files.deleteIfExists(seenFile);
            }
        };
    }

    /**
     * Empties the schema and seeds it with the N events ({@value #SEED_BATCH} events per append, 100 orders
     * per stream: the views key on the payloads' order ids). Not measured; the rate goes to the extras.
     */
    private void seed(String schema, int n) throws SQLException {
        Pg.freshSchema(schema);
        try (Rewind seeder = RewindSide.builder().storage(storage(schema, 2)).build()) {
            EventStore store = seeder.store();
            List<Object> chunk = new ArrayList<>(SEED_BATCH);
            int[] streams = {0};
            long t0 = System.nanoTime();
            Workload.generate(n, o -> {
                chunk.addAll(o.events());
                if (chunk.size() >= SEED_BATCH) {
                    store.append("seed-" + streams[0]++, ExpectedVersion.noStream(), List.copyOf(chunk));
                    chunk.clear();
                }
            });
            if (!chunk.isEmpty()) {
                store.append("seed-" + streams[0]++, ExpectedVersion.noStream(), List.copyOf(chunk));
            }
            extras.put("seeding PostgreSQL, " + SEED_BATCH + " events per append, events/s", Measure.rate(n, t0));
        }
    }

    /**
     * Seeds an emptied schema {@code bench} with the N events, opens a Rewind with the views on it, and
     * rebuilds them per iteration.
     */
    Iteration replay(int n) throws SQLException {
        String schema = Pg.schema("bench");
        seed(schema, n);
        long t1 = System.nanoTime();
        Rewind rewind = RewindSide.builder().storage(storage(schema, 4)).projection(RewindViews.class).build();
        extras.put("open + start-up catch-up of the views, s", (System.nanoTime() - t1) / 1e9);
        Expected expected = Expected.of(n, false);
        return () -> {
            long start = System.nanoTime();
            rewind.projections().rebuild(RewindViews.NAME);
            double rate = Measure.rate(n, start);
            expected.verify(rewind.projections().state(RewindViews.NAME), "Rewind PostgreSQL replay");
            return rate;
        };
    }

    /**
     * A table projection catching up from position 0: seeds an emptied schema {@code bench_table} with the N
     * events once; per iteration empties {@code order_totals} and deletes the projection's checkpoint, then
     * measures from {@code build()} (the storage already open) to the query that waits for the last event, which
     * a table projection answers only once the batch holding it committed with its checkpoint. The
     * checkpoint must then be at the head and the table must equal the expected totals.
     */
    Iteration tableCatchUp(int n) throws SQLException {
        String schema = Pg.schema("bench_table");
        seed(schema, n);
        try (Connection c = Pg.connect(schema)) {
            OrderTotalsTable.create(c);
        }
        int batch = Pg.tableBatchSize();
        extras.put("events per transaction (batch size)", (double) batch);
        Expected expected = Expected.of(n, false);
        String name = RewindOrderTotals.NAME;
        return () -> {
            try (Connection c = Pg.connect(schema)) {
                OrderTotalsTable.truncate(c);
            }
            PostgresStorage storage = storage(schema, 4);
            storage.projectionStore().delete(name);
            long t0 = System.nanoTime();
            double rate;
            try (Rewind rewind = RewindSide.builder().storage(storage).projection(RewindOrderTotals.class)
                    .projectionSettings(name, ProjectionSettings.async().batchSize(batch))
                    .instanceId("bench-table").build()) {
                rewind.projections().state(name, ReadPoint.atLeast(n - 1).within(Duration.ofHours(1)));
                rate = Measure.rate(n, t0);
                ProjectionStatus st = rewind.projections().status(name);
                if (st.checkpoint() != n - 1) {
                    throw new IllegalStateException("Rewind table catch-up: the checkpoint is at " + st.checkpoint()
                            + " after the query at the head (" + (n - 1) + ") returned");
                }
            }
            try (Connection c = Pg.connect(schema)) {
                expected.verifyTotals(OrderTotalsTable.totals(c, "Rewind table catch-up"), "Rewind table catch-up");
            }
            return rate;
        };
    }
}
