package dev.rewind.benchmarks.jmh;

import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.benchmarks.axon.AxonViews;
import dev.rewind.benchmarks.rewind.RewindViews;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.internal.dispatch.EventIndex;
import dev.rewind.internal.dispatch.HandlerInspector;
import dev.rewind.internal.dispatch.ParameterResolvers;
import dev.rewind.internal.projection.ProjectionType;
import dev.rewind.internal.dispatch.Invoker;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dispatch of one stored event ({@code ItemAdded}) to one annotated handler class holding the two
 * views: Rewind's dispatch table (one index lookup and one {@link Invoker} call, as its projection
 * runner does) against Axon's {@link AnnotationEventHandlerAdapter}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DispatchBenchmark {
    private EventIndex index;
    private Invoker[] table;
    private Object rewindViews;
    private StoredEvent<?> rewindEvent;
    private AnnotationEventHandlerAdapter axonAdapter;
    private EventMessage<?> axonEvent;

    /** Builds both dispatchers once. */
    @Setup
    public void setUp() {
        index = new EventIndex(List.of(OrderPlaced.class, ItemAdded.class, OrderPaid.class));
        HandlerInspector inspector = new HandlerInspector(index.classes(), new ParameterResolvers(List.of()));
        ProjectionType type = ProjectionType.of(RewindViews.class, inspector, index);
        table = type.table();
        rewindViews = type.newInstance();
        ItemAdded item = new ItemAdded("order-1", "sku-7", 2, 1999);
        rewindEvent = new StoredEvent<>(UUID.randomUUID(), "order-1", 1, 1, "ItemAdded", 1,
                Instant.parse("2024-01-01T00:00:00Z"), item, Metadata.EMPTY);
        axonAdapter = new AnnotationEventHandlerAdapter(new AxonViews());
        axonEvent = new GenericDomainEventMessage<>("Order", "order-1", 1, item);
    }

    /**
     * @return the views (kept alive)
     * @throws Throwable when the handler throws
     */
    @Benchmark
    public Object rewind() throws Throwable {
        int i = index.of(rewindEvent.payload().getClass());
        table[i].invoke(rewindViews, rewindEvent);
        return rewindViews;
    }

    /**
     * @return what Axon's adapter returns
     * @throws Exception when the handler throws
     */
    @Benchmark
    public Object axon() throws Exception {
        return axonAdapter.handle(axonEvent);
    }
}
