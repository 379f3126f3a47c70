package dev.rewind.benchmarks.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.Pg;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Axon's side of the PostgreSQL phases: {@link JdbcEventStorageEngine} with Axon's
 * {@link PostgresEventTableFactory} (BYTEA payloads) and {@link JacksonSerializer}, in its own schema
 * of the same database as Rewind's, through a HikariCP pool in auto-commit (each engine call is one
 * JDBC batch, which PostgreSQL commits as one implicit transaction: durable before it returns).
 */
final class AxonPostgres {
    private static final String AGGREGATE = "Order";
    /** Events per engine call when seeding the replay phase (not measured). */
    private static final int SEED_BATCH = 10_000;
    private final AxonSide side;
    private final Map<String, Double> extras;

    AxonPostgres(AxonSide side, Map<String, Double> extras) {
        this.side = side;
        this.extras = extras;
    }

    static HikariDataSource dataSource(String schema, int poolSize) {
        HikariConfig config = new HikariConfig();
        String url = Pg.url();
        config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        config.setUsername(Pg.user());
        config.setPassword(Pg.password());
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    static JdbcEventStorageEngine engine(DataSource ds) {
        JacksonSerializer serializer = JacksonSerializer.builder()
                .objectMapper(new ObjectMapper().registerModule(new JavaTimeModule())).build();
        return JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(ds))
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .dataType(byte[].class)
                .batchSize(100)
                .build();
    }

    static List<EventMessage<?>> messages(String aggregateId, Order o) {
        List<EventMessage<?>> messages = new ArrayList<>(Workload.EVENTS_PER_ORDER);
        long seq = 0;
        for (Object payload : o.events()) {
            messages.add(new GenericDomainEventMessage<>(AGGREGATE, aggregateId, seq++, payload));
        }
        return messages;
    }

    private static long rows(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM DomainEventEntry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * {@code writers} threads each publish whole orders (10 events, one publish, a new aggregate each)
     * through an {@link EmbeddedEventStore} for {@code bench.pg.ms} (default 10,000) ms, into an emptied
     * schema; verifies the table holds exactly the acknowledged events.
     */
    Iteration durable(int writers) {
        long millis = Long.getLong("bench.pg.ms", 10_000);
        List<Order> orders = Workload.orders(100_000);
        int[] round = {0};
        return () -> {
            String schema = Pg.schema("axon_durable");
            Pg.freshSchema(schema);
            try (HikariDataSource ds = dataSource(schema, writers + 1)) {
                JdbcEventStorageEngine engine = engine(ds);
                engine.createSchema(PostgresEventTableFactory.INSTANCE);
                EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine).build();
                Measure.Writers done = Measure.timedWriters(writers, millis, orders, "r" + round[0]++,
                        (stream, o) -> store.publish(messages(stream, o)));
                double rate = done.rate();
                long stored = rows(ds);
                store.shutDown();
                if (stored != done.events()) {
                    throw new IllegalStateException("Axon PostgreSQL durable append: the table holds " + stored
                            + " events, the writers were acknowledged " + done.events());
                }
                return rate;
            }
        };
    }

    /**
     * Two application instances on one table: this JVM and an {@link AxonPgPeer} JVM with the same
     * flags, {@code writers} threads each, publishing as {@link #durable} does, started together for
     * {@code bench.pg.ms}. The figure is the sum of both instances' rates; the table must hold exactly
     * the events acknowledged to both.
     */
    Iteration durableTwoInstances(int writers) {
        long millis = Long.getLong("bench.pg.ms", 10_000);
        List<Order> orders = Workload.orders(100_000);
        int[] round = {0};
        return () -> {
            String schema = Pg.schema("axon_durable");
            Pg.freshSchema(schema);
            int r = round[0]++;
            try (HikariDataSource ds = dataSource(schema, writers + 1)) {
                JdbcEventStorageEngine engine = engine(ds);
                engine.createSchema(PostgresEventTableFactory.INSTANCE);
                EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine).build();
                try (Peer peer = new Peer(AxonPgPeer.class, schema, Integer.toString(writers), Long.toString(millis),
                        "p" + r)) {
                    peer.await("READY", 120);
                    peer.send("GO");
                    Measure.Writers done = Measure.timedWriters(writers, millis, orders, "r" + r,
                            (stream, o) -> store.publish(messages(stream, o)));
                    String[] other = peer.await("DONE", millis / 1000 + 120).split(" ");
                    long events = done.events() + Long.parseLong(other[1]);
                    long stored = rows(ds);
                    store.shutDown();
                    if (stored != events) {
                        throw new IllegalStateException("Axon PostgreSQL durable append, two instances: the table"
                                + " holds " + stored + " events, the writers were acknowledged " + events);
                    }
                    return done.rate() + Double.parseDouble(other[2]);
                }
            }
        };
    }

    /**
     * Seeds an emptied schema {@code axon_bench} through the engine ({@value #SEED_BATCH} events per
     * call), then replays it with a tracking processor (batch 100) over a fresh engine per iteration.
     */
    Iteration replay(int n) throws SQLException {
        String schema = Pg.schema("axon_bench");
        Pg.freshSchema(schema);
        HikariDataSource ds = dataSource(schema, 4);
        JdbcEventStorageEngine seeder = engine(ds);
        seeder.createSchema(PostgresEventTableFactory.INSTANCE);
        List<EventMessage<?>> chunk = new ArrayList<>();
        long t0 = System.nanoTime();
        Workload.generate(n, o -> {
            chunk.addAll(messages(o.streamId(), o));
            if (chunk.size() >= SEED_BATCH) {
                seeder.appendEvents(chunk);
                chunk.clear();
            }
        });
        if (!chunk.isEmpty()) {
            seeder.appendEvents(chunk);
        }
        extras.put("seeding PostgreSQL, " + SEED_BATCH + " events per engine call, events/s", Measure.rate(n, t0));
        return side.replay(EmbeddedEventStore.builder().storageEngine(engine(ds)).build(), n, false);
    }
}
