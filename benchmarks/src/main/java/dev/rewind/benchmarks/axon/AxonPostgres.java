package dev.rewind.benchmarks.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.Pg;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.OrderTotalsTable;
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
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Axon's side of the PostgreSQL phases: {@link JdbcEventStorageEngine} with Axon's
 * {@link PostgresEventTableFactory} (BYTEA payloads) and {@link JacksonSerializer}, in its own schema
 * of the same database as Rewind's, through a HikariCP pool in auto-commit (each engine call is one
 * JDBC batch, which PostgreSQL commits as one implicit transaction: durable before it returns). The table
 * catch-up adds a tracking processor with a {@link JdbcTokenStore} writing {@code order_totals} in one
 * transaction per batch ({@link JdbcTransactionManager}).
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
        config.setJdbcUrl(Pg.url(schema));
        config.setUsername(Pg.user());
        config.setPassword(Pg.password());
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    static JdbcEventStorageEngine engine(DataSource ds) {
        return engine(ds, 100);
    }

    private static JacksonSerializer serializer() {
        return JacksonSerializer.builder().objectMapper(new ObjectMapper().registerModule(new JavaTimeModule())).build();
    }

    /** The engine fetching {@code batchSize} events per query when a tracking processor reads. */
    static JdbcEventStorageEngine engine(DataSource ds, int batchSize) {
        JacksonSerializer serializer = serializer();
        return JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(ds))
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .dataType(byte[].class)
                .batchSize(batchSize)
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
     * Empties the schema and seeds it through the engine ({@value #SEED_BATCH} events per call; not measured,
     * the rate goes to the extras).
     *
     * @return a pool on the schema
     */
    private HikariDataSource seed(String schema, int n) throws SQLException {
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
        return ds;
    }

    /**
     * Seeds an emptied schema {@code axon_bench}, then replays it with a tracking processor (batch 100) over a
     * fresh engine per iteration.
     */
    Iteration replay(int n) throws SQLException {
        HikariDataSource ds = seed(Pg.schema("axon_bench"), n);
        return side.replay(EmbeddedEventStore.builder().storageEngine(engine(ds)).build(), n, false);
    }

    /**
     * The table catch-up against Rewind's table projection: seeds an emptied schema {@code axon_table} once; per
     * iteration empties {@code order_totals} and the token table, then measures from the tracking processor's
     * start to its status at the head. Axon moves that status only after the batch's unit of work committed,
     * and the token is stored in that same transaction: the status at the head is the token at the head. The
     * processor: single-threaded, batch size {@link Pg#tableBatchSize()} (Rewind's), the engine fetching as
     * many events per query, a {@link JdbcTokenStore} in the same schema, and {@link AxonOrderTotals} writing
     * the table on the unit of work's connection ({@link JdbcTransactionManager}); a handler's exception
     * propagates (the processor stops in error, and the phase fails). Afterwards the stored token must be at
     * the head and the table must equal the expected totals.
     */
    Iteration tableCatchUp(int n) throws SQLException {
        String schema = Pg.schema("axon_table");
        HikariDataSource ds = seed(schema, n);
        try (Connection c = ds.getConnection()) {
            OrderTotalsTable.create(c);
        }
        int batch = Pg.tableBatchSize();
        extras.put("events per transaction (batch size)", (double) batch);
        JdbcTransactionManager transactions = new JdbcTransactionManager(ds);
        JdbcTokenStore tokens = JdbcTokenStore.builder().connectionProvider(transactions).serializer(serializer()).build();
        tokens.createSchema(PostgresTokenTableFactory.INSTANCE);
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(engine(ds, batch)).build();
        long head = store.createHeadToken().position().orElseThrow();
        Expected expected = Expected.of(n, false);
        String name = "order_totals_table";
        return () -> {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                OrderTotalsTable.truncate(c);
                s.execute("DELETE FROM TokenEntry");
            }
            TrackingEventProcessor processor = TrackingEventProcessor.builder()
                    .name(name)
                    .eventHandlerInvoker(SimpleEventHandlerInvoker.builder()
                            .eventHandlers(new AxonOrderTotals(transactions))
                            .listenerInvocationErrorHandler(PropagatingErrorHandler.instance())
                            .build())
                    .messageSource(store)
                    .tokenStore(tokens)
                    .transactionManager(transactions)
                    .trackingEventProcessorConfiguration(TrackingEventProcessorConfiguration
                            .forSingleThreadedProcessing()
                            .andBatchSize(batch)
                            .andInitialTrackingToken(StreamableMessageSource::createTailToken))
                    .build();
            long t0 = System.nanoTime();
            processor.start();
            while (AxonSide.position(processor) < head) {
                Measure.pause(1);
            }
            double rate = Measure.rate(n, t0);
            processor.shutDown();
            TrackingToken token = transactions.fetchInTransaction(() -> tokens.fetchToken(name, 0));
            long stored = token == null ? -1 : token.position().orElse(-1);
            if (stored != head) {
                throw new IllegalStateException("Axon table catch-up: the stored token is at " + stored
                        + " after the processor's status reached the head (" + head + ")");
            }
            try (Connection c = ds.getConnection()) {
                expected.verifyTotals(OrderTotalsTable.totals(c, "Axon table catch-up"), "Axon table catch-up");
            }
            return rate;
        };
    }
}
