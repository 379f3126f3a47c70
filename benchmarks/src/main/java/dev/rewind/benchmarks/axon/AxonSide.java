package dev.rewind.benchmarks.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Phase;
import dev.rewind.benchmarks.Side;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPaidV1;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderViews;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import java.lang.ref.Reference;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.StreamableMessageSource;
import org.axonframework.serialization.json.JacksonSerializer;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Axon Framework 4.13 configured as its documentation recommends for this work, wired by hand (the
 * equivalent of {@code DefaultConfigurer.defaultConfiguration(false)}: no auto-discovered modules, no
 * Axon Server): {@link EmbeddedEventStore} over {@link InMemoryEventStorageEngine} or
 * {@link JdbcEventStorageEngine} on in-memory H2 with {@link JacksonSerializer}; a
 * {@link SubscribingEventProcessor} for dispatch, a {@link TrackingEventProcessor} (batch 100) for
 * replays; one annotated handler class, {@link AxonViews}, for the two views. The {@code PG_*} phases
 * run the JDBC engine on PostgreSQL ({@link AxonPostgres}).
 */
public final class AxonSide implements Side {
    private static final String AGGREGATE = "Order";
    private final Map<String, Double> extras = new LinkedHashMap<>();
    private int processors;
    private final AxonPostgres postgres = new AxonPostgres(this, extras);

    @Override
    public Map<String, Double> extras() {
        return extras;
    }

    @Override
    public Iteration prepare(Phase phase, int n) throws Exception {
        switch (phase) {
            case APPEND:
                return append(n, false);
            case DISPATCH:
                return append(n, true);
            case REPLAY:
                return replay(seed(store(new InMemoryEventStorageEngine()), n, false, "in-memory"), n, false);
            case SERIALIZED_REPLAY:
                return replay(seedJdbc(JdbcConnectionPool.create("jdbc:h2:mem:serialized;DB_CLOSE_DELAY=-1", "sa", ""), n, false), n, false);
            case ASYNC_CATCHUP: // the tracking processor is Axon's asynchronous catch-up: the same as its replay
                return replay(seedJdbc(JdbcConnectionPool.create("jdbc:h2:mem:catchup;DB_CLOSE_DELAY=-1", "sa", ""), n, false), n, false);
            case UPCAST_REPLAY:
                return upcastReplay(n);
            case MEMORY:
                return memory(n);
            case PG_DURABLE_1:
                return postgres.durable(1);
            case PG_DURABLE_4:
                return postgres.durable(4);
            case PG_DURABLE_16:
                return postgres.durable(16);
            case PG_DURABLE_2X8:
                return postgres.durableTwoInstances(8);
            case PG_REPLAY:
                return postgres.replay(n);
            case PG_TABLE_CATCHUP:
                return postgres.tableCatchUp(n);
            default:
                return null;
        }
    }

    private Iteration append(int n, boolean withViews) {
        List<Order> orders = Workload.orders(n);
        Expected expected = Expected.of(n, false);
        return () -> {
            InMemoryEventStorageEngine engine = new InMemoryEventStorageEngine();
            EmbeddedEventStore store = store(engine);
            AxonViews views = new AxonViews();
            SubscribingEventProcessor processor = null;
            if (withViews) {
                processor = SubscribingEventProcessor.builder().name("views")
                        .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(views).build())
                        .messageSource(store).build();
                processor.start();
            }
            long t0 = System.nanoTime();
            for (Order o : orders) {
                store.publish(messages(o, false));
            }
            double rate = Measure.rate(n, t0);
            if (processor != null) {
                processor.shutDown();
                expected.verify(views.views(), "Axon dispatch");
            } else {
                expected.verify(readBack(engine), "Axon append (read back)");
            }
            store.shutDown();
            return rate;
        };
    }

    Iteration replay(EmbeddedEventStore store, int n, boolean upcast) {
        Expected expected = Expected.of(n, upcast);
        long head = store.createHeadToken().position().orElseThrow();
        return () -> {
            AxonViews views = new AxonViews();
            TrackingEventProcessor processor = TrackingEventProcessor.builder()
                    .name("replay-" + processors++)
                    .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(views).build())
                    .messageSource(store)
                    .tokenStore(new InMemoryTokenStore())
                    .transactionManager(NoTransactionManager.INSTANCE)
                    .trackingEventProcessorConfiguration(TrackingEventProcessorConfiguration
                            .forSingleThreadedProcessing()
                            .andBatchSize(100)
                            .andInitialTrackingToken(StreamableMessageSource::createTailToken))
                    .build();
            long t0 = System.nanoTime();
            processor.start();
            while (position(processor) < head) {
                Measure.pause(1);
            }
            double rate = Measure.rate(n, t0);
            processor.shutDown();
            expected.verify(views.views(), "Axon replay");
            return rate;
        };
    }

    /** @return the processor's position (its lowest segment's), -1 before the first event; throws when it failed */
    static long position(TrackingEventProcessor processor) {
        long min = Long.MAX_VALUE;
        for (EventTrackerStatus status : processor.processingStatus().values()) {
            if (status.isErrorState()) {
                throw new IllegalStateException("Axon tracking processor failed", status.getError());
            }
            OptionalLong p = status.getCurrentPosition();
            min = Math.min(min, p.isPresent() ? p.getAsLong() : -1);
        }
        return min == Long.MAX_VALUE ? -1 : min;
    }

    private Iteration upcastReplay(int n) throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:mem:upcast;DB_CLOSE_DELAY=-1", "sa", "");
        EmbeddedEventStore store = seedJdbc(pool, n, true);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            int changed = s.executeUpdate("UPDATE DomainEventEntry SET payloadType = '" + OrderPaid.class.getName()
                    + "' WHERE payloadType = '" + OrderPaidV1.class.getName() + "'");
            if (changed != n / Workload.EVENTS_PER_ORDER) {
                throw new IllegalStateException("expected " + n / 10 + " OrderPaid v1 rows, changed " + changed);
            }
        }
        return replay(store, n, true);
    }

    private Iteration memory(int n) {
        Expected expected = Expected.of(n, false);
        return () -> {
            Measure.fullGc();
            long before = Measure.usedHeap();
            InMemoryEventStorageEngine engine = new InMemoryEventStorageEngine();
            EmbeddedEventStore store = store(engine);
            Workload.generate(n, o -> store.publish(messages(o, false)));
            Measure.fullGc();
            double perEvent = (double) (Measure.usedHeap() - before) / n;
            expected.verify(readBack(engine), "Axon memory (read back)");
            store.shutDown();
            Reference.reachabilityFence(engine);
            return perEvent;
        };
    }

    private EmbeddedEventStore seed(EmbeddedEventStore store, int n, boolean v1, String what) {
        long t0 = System.nanoTime();
        Workload.generate(n, o -> store.publish(messages(o, v1)));
        extras.put("seeding " + what + " events/s", Measure.rate(n, t0));
        return store;
    }

    private static List<EventMessage<?>> messages(Order o, boolean orderPaidV1) {
        List<EventMessage<?>> messages = new ArrayList<>(Workload.EVENTS_PER_ORDER);
        long seq = 0;
        for (Object payload : o.events()) {
            if (orderPaidV1 && payload instanceof OrderPaid p) {
                payload = new OrderPaidV1(p.orderId(), p.amountCents());
            }
            messages.add(new GenericDomainEventMessage<>(AGGREGATE, o.streamId(), seq++, payload));
        }
        return messages;
    }

    private static OrderViews readBack(EventStorageEngine engine) {
        OrderViews views = new OrderViews();
        engine.readEvents(null, false).forEach(m -> {
            Object p = m.getPayload();
            if (p instanceof OrderPlaced e) {
                views.placed(e);
            } else if (p instanceof ItemAdded e) {
                views.itemAdded(e);
            } else if (p instanceof OrderPaid e) {
                views.paid(e);
            }
        });
        return views;
    }

    private static EmbeddedEventStore store(EventStorageEngine engine) {
        return EmbeddedEventStore.builder().storageEngine(engine).build();
    }

    /**
     * Fills H2 through Axon's engine, 1000 orders per engine call and one transaction per call (seeding
     * is not measured; one transaction per order ran at under 10k events/s), then returns an event store
     * over a fresh engine on the same database, with the upcaster when the OrderPaid events are v1.
     */
    private EmbeddedEventStore seedJdbc(JdbcConnectionPool pool, int n, boolean v1) throws Exception {
        JdbcEventStorageEngine seeder = jdbcEngine(pool, false);
        seeder.createSchema(new H2EventTableFactory());
        List<EventMessage<?>> chunk = new ArrayList<>();
        long t0 = System.nanoTime();
        Workload.generate(n, o -> {
            chunk.addAll(messages(o, v1));
            if (chunk.size() >= 10_000) {
                seeder.appendEvents(chunk);
                chunk.clear();
            }
        });
        if (!chunk.isEmpty()) {
            seeder.appendEvents(chunk);
        }
        extras.put("seeding H2" + (v1 ? " (v1)" : "") + ", 10,000 events per call, events/s", Measure.rate(n, t0));
        return store(jdbcEngine(pool, v1));
    }

    private static JdbcEventStorageEngine jdbcEngine(JdbcConnectionPool pool, boolean upcaster) {
        JacksonSerializer serializer = JacksonSerializer.builder()
                .objectMapper(new ObjectMapper().registerModule(new JavaTimeModule())).build();
        JdbcEventStorageEngine.Builder builder = JdbcEventStorageEngine.builder()
                .connectionProvider(new DataSourceConnectionProvider(pool))
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .dataType(byte[].class)
                .batchSize(100);
        if (upcaster) {
            builder.upcasterChain(new OrderPaidUpcaster());
        }
        return builder.build();
    }
}
