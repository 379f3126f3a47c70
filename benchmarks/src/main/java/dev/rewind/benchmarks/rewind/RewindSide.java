package dev.rewind.benchmarks.rewind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Phase;
import dev.rewind.benchmarks.Side;
import dev.rewind.benchmarks.workload.Expected;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.OrderViews;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.storage.memory.InMemoryStorage;
import java.lang.ref.Reference;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewind's side of the workload: the in-memory storage for append, dispatch, replay and memory; the
 * file storage for the serialized, upcast, temporal and durable phases; the PostgreSQL storage for the
 * {@code PG_*} phases.
 */
public final class RewindSide implements Side {
    private final Map<String, Double> extras = new LinkedHashMap<>();
    private final FilePhases files = new FilePhases(extras);
    private final PgPhases pg = new PgPhases(extras);
    private final RuntimePhases runtime = new RuntimePhases(extras, files);

    @Override
    public Map<String, Double> extras() {
        return extras;
    }

    @Override
    public Iteration prepare(Phase phase, int n) throws Exception {
        switch (phase) {
            case APPEND:
                return append(n);
            case DISPATCH:
                return dispatch(n);
            case REPLAY:
                return replay(seededInMemory(n), n);
            case TEMPORAL_MEMORY:
                return temporal(seededInMemory(n), n);
            case SERIALIZED_REPLAY:
                return files.replay(n, false);
            case UPCAST_REPLAY:
                return files.replay(n, true);
            case TEMPORAL_FILE:
                return files.temporal(n);
            case DURABLE_1:
                return files.durable(1);
            case DURABLE_4:
                return files.durable(4);
            case DURABLE_16:
                return files.durable(16);
            case MEMORY_FILE:
                return files.memory(n);
            case JACKSON_BIND:
                return jacksonBind(n);
            case JACKSON_WRITE:
                return jacksonWrite(n);
            case MEMORY:
                return memory(n);
            case PG_DURABLE_1:
                return pg.durable(1);
            case PG_DURABLE_4:
                return pg.durable(4);
            case PG_DURABLE_16:
                return pg.durable(16);
            case PG_DURABLE_2X8:
                return pg.durableTwoInstances(8);
            case PG_REPLAY:
                return pg.replay(n);
            case STARTUP:
                return runtime.startup(n);
            case STARTUP_10N:
                return runtime.startup(10 * n);
            case TEMPORAL_HISTORY:
                return runtime.temporal(n);
            case TEMPORAL_HISTORY_10N:
                return runtime.temporal(10 * n);
            case ASYNC_CATCHUP:
                return runtime.asyncCatchUp(n);
            case DURABLE_16_ASYNC:
                return runtime.durableWithAsync(16);
            case PG_TAIL_P50:
                return pg.tailing(4, 50);
            case PG_TAIL_P99:
                return pg.tailing(4, 99);
            case PG_TABLE_CATCHUP:
                return pg.tableCatchUp(n);
            case PG_TAKEOVER:
                return new PgTakeover(extras).iteration();
            default:
                return null;
        }
    }

    /** @return a builder with the workload's event types and the OrderPaid 1 -> 2 upcaster */
    static Rewind.Builder builder() {
        return Rewind.builder()
                .eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class)
                .upcaster("OrderPaid", 1, json -> json.put("currency", "USD"));
    }

    private Iteration append(int n) {
        List<Order> orders = Workload.orders(n);
        Expected expected = Expected.of(n, false);
        return () -> {
            try (Rewind rewind = builder().storage(new InMemoryStorage()).build()) {
                EventStore store = rewind.store();
                long t0 = System.nanoTime();
                for (Order o : orders) {
                    store.append(o.streamId(), ExpectedVersion.noStream(), o.events());
                }
                double rate = Measure.rate(n, t0);
                expected.verify(readBack(store), "Rewind append (read back)");
                return rate;
            }
        };
    }

    private Iteration dispatch(int n) {
        List<Order> orders = Workload.orders(n);
        Expected expected = Expected.of(n, false);
        return () -> {
            try (Rewind rewind = builder().storage(new InMemoryStorage()).projection(RewindViews.class).build()) {
                EventStore store = rewind.store();
                long t0 = System.nanoTime();
                for (Order o : orders) {
                    store.append(o.streamId(), ExpectedVersion.noStream(), o.events());
                }
                double rate = Measure.rate(n, t0);
                expected.verify(rewind.projections().state(RewindViews.NAME), "Rewind dispatch");
                return rate;
            }
        };
    }

    /**
     * @return a Rewind with the views registered, holding the N events, recorded by a clock that moves
     *     one millisecond per append (so that "as of the instant of event N/2" is one exact order)
     */
    private Rewind seededInMemory(int n) {
        Rewind rewind = builder().storage(new InMemoryStorage()).clock(new TickingClock()).projection(RewindViews.class).build();
        seed(rewind.store(), n, false, "in-memory");
        return rewind;
    }

    private void seed(EventStore store, int n, boolean orderPaidV1, String what) {
        long t0 = System.nanoTime();
        Workload.generate(n, o -> {
            if (orderPaidV1) {
                store.appendRaw(o.streamId(), ExpectedVersion.noStream(), RawOrders.withV1(o));
            } else {
                store.append(o.streamId(), ExpectedVersion.noStream(), o.events());
            }
        });
        extras.put("seeding " + what + " events/s", Measure.rate(n, t0));
    }

    private static Iteration replay(Rewind rewind, int n) {
        return replay(rewind, n, false);
    }

    private static Iteration replay(Rewind rewind, int n, boolean upcast) {
        Expected expected = Expected.of(n, upcast);
        return () -> {
            long t0 = System.nanoTime();
            rewind.projections().rebuild(RewindViews.NAME);
            double rate = Measure.rate(n, t0);
            expected.verify(rewind.projections().state(RewindViews.NAME), "Rewind replay");
            return rate;
        };
    }

    /** Order totals as of the instant event N/2 was recorded: that event's whole order is included. */
    private static Iteration temporal(Rewind rewind, int n) {
        EventStore store = rewind.store();
        Instant at = store.readAll(n / 2, 1).get(0).recordedAt();
        Expected expected = Expected.upTo(n, n / 2 / Workload.EVENTS_PER_ORDER + 1, false);
        return () -> {
            long t0 = System.nanoTime();
            OrderViews views = rewind.projections().stateAt(RewindViews.NAME, at);
            double ms = (System.nanoTime() - t0) / 1e6;
            expected.verifyTotals(views.totals(), "Rewind temporal");
            return ms;
        };
    }

    private Iteration memory(int n) {
        Expected expected = Expected.of(n, false);
        Measure.fullGc();
        long empty = Measure.usedHeap();
        List<Order> payloads = Workload.orders(n);
        Measure.fullGc();
        extras.put("the payload objects alone (generator's orders, ~8 bytes/event of list overhead), bytes/event",
                (double) (Measure.usedHeap() - empty) / n);
        Reference.reachabilityFence(payloads);
        return () -> {
            Measure.fullGc();
            long before = Measure.usedHeap();
            InMemoryStorage storage = new InMemoryStorage();
            try (Rewind rewind = builder().storage(storage).build()) {
                EventStore store = rewind.store();
                Workload.generate(n, o -> store.append(o.streamId(), ExpectedVersion.noStream(), o.events()));
                Measure.fullGc();
                double perEvent = (double) (Measure.usedHeap() - before) / n;
                expected.verify(readBack(store), "Rewind memory (read back)");
                Reference.reachabilityFence(storage);
                return perEvent;
            }
        };
    }

    /**
     * The limit for serialized replay: plain Jackson binding (Rewind's own mapper configuration, one
     * pre-built reader per type) of the same payload bytes the file store holds.
     */
    private Iteration jacksonBind(int n) {
        ObjectMapper mapper = JacksonEventSerializer.defaultMapper();
        byte[][] bytes = new byte[n][];
        ObjectReader[] readers = new ObjectReader[n];
        Map<Class<?>, ObjectReader> byClass = new LinkedHashMap<>();
        int[] i = {0};
        Workload.generate(n, o -> {
            for (Object e : o.events()) {
                try {
                    bytes[i[0]] = mapper.writeValueAsBytes(e);
                } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                    throw new IllegalStateException(x);
                }
                readers[i[0]++] = byClass.computeIfAbsent(e.getClass(), mapper::readerFor);
            }
        });
        Expected expected = Expected.of(n, false);
        return () -> {
            Object[] bound = new Object[n];
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
                bound[k] = readers[k].readValue(bytes[k]);
            }
            double rate = Measure.rate(n, t0);
            OrderViews views = new OrderViews();
            for (Object e : bound) {
                apply(views, e);
            }
            expected.verify(views, "Jackson bind");
            return rate;
        };
    }

    /**
     * A limit for append: serialising the same events with Rewind's mapper (one pre-built writer per
     * type), which any store that keeps bytes pays. Also reports how many random UUIDs per second this
     * JVM makes (both frameworks give every event one).
     */
    private Iteration jacksonWrite(int n) {
        ObjectMapper mapper = JacksonEventSerializer.defaultMapper();
        List<Order> orders = Workload.orders(n);
        Map<Class<?>, com.fasterxml.jackson.databind.ObjectWriter> writers = new LinkedHashMap<>();
        return () -> {
            long bytes = 0;
            long t0 = System.nanoTime();
            for (Order o : orders) {
                for (Object e : o.events()) {
                    bytes += writers.computeIfAbsent(e.getClass(), mapper::writerFor).writeValueAsBytes(e).length;
                }
            }
            double rate = Measure.rate(n, t0);
            if (bytes < 50L * n) {
                throw new IllegalStateException("Jackson wrote only " + bytes + " bytes for " + n + " events");
            }
            long u0 = System.nanoTime();
            long x = 0;
            for (int k = 0; k < n; k++) {
                x ^= java.util.UUID.randomUUID().getLeastSignificantBits();
            }
            extras.put("UUID.randomUUID per second", Measure.rate(n, u0));
            if (x == 0) { // keeps the loop from being optimised away; practically never true
                throw new IllegalStateException("random UUIDs cancelled out");
            }
            return rate;
        };
    }

    static OrderViews readBack(EventStore store) {
        OrderViews views = new OrderViews();
        store.replay(0, Long.MAX_VALUE, e -> apply(views, e.payload()));
        return views;
    }

    static void apply(OrderViews views, Object e) {
        if (e instanceof OrderPlaced p) {
            views.placed(p);
        } else if (e instanceof ItemAdded a) {
            views.itemAdded(a);
        } else if (e instanceof OrderPaid p) {
            views.paid(p);
        }
    }
}
