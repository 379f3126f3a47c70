package dev.rewind.benchmarks.jmh;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append of one order (a 10-event batch) to a new stream in memory: Rewind's store (expected version
 * "no stream", ids checked for uniqueness) against Axon's embedded store on its in-memory engine.
 * A fresh store per iteration keeps the heap flat.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class AppendBenchmark {
    private static final int ORDERS = 10_000;
    private List<Order> orders;
    private Rewind rewind;
    private EventStore rewindStore;
    private EmbeddedEventStore axonStore;
    private int next;

    /** Generates the orders once. */
    @Setup(Level.Trial)
    public void generate() {
        orders = Workload.orders(ORDERS * Workload.EVENTS_PER_ORDER);
    }

    /** A fresh store on each side. */
    @Setup(Level.Iteration)
    public void freshStores() {
        rewind = Rewind.builder().storage(new InMemoryStorage())
                .eventTypes(OrderPlaced.class, ItemAdded.class, OrderPaid.class).build();
        rewindStore = rewind.store();
        axonStore = EmbeddedEventStore.builder().storageEngine(new InMemoryEventStorageEngine()).build();
        next = 0;
    }

    /** Closes both stores. */
    @TearDown(Level.Iteration)
    public void close() {
        rewind.close();
        axonStore.shutDown();
    }

    /** @return the result of one append */
    @Benchmark
    public Object rewind() {
        int k = next++;
        Order o = orders.get(k % ORDERS);
        return rewindStore.append("s-" + k, ExpectedVersion.noStream(), o.events());
    }

    /** @return the number of messages published */
    @Benchmark
    public int axon() {
        int k = next++;
        Order o = orders.get(k % ORDERS);
        String stream = "s-" + k;
        List<EventMessage<?>> messages = new ArrayList<>(Workload.EVENTS_PER_ORDER);
        long seq = 0;
        for (Object payload : o.events()) {
            messages.add(new GenericDomainEventMessage<>("Order", stream, seq++, payload));
        }
        axonStore.publish(messages);
        return messages.size();
    }
}
