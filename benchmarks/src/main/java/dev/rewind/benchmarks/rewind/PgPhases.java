package dev.rewind.benchmarks.rewind;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Pg;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.storage.postgres.PostgresStorage;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Rewind's phases on {@link PostgresStorage}: durable append with concurrent writers, serialized replay. */
final class PgPhases {
    /** Events per append when seeding the replay phase (seeding is not measured). */
    static final int SEED_BATCH = 1000;
    private final Map<String, Double> extras;

    PgPhases(Map<String, Double> extras) {
        this.extras = extras;
    }

    private static PostgresStorage storage(String schema, int poolSize) {
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
     * Seeds an emptied schema {@code bench} with the N events ({@value #SEED_BATCH} events per append,
     * 100 orders per stream: the views key on the payloads' order ids), opens a Rewind with the views
     * on it, and rebuilds them per iteration.
     */
    Iteration replay(int n) throws SQLException {
        String schema = Pg.schema("bench");
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
}
