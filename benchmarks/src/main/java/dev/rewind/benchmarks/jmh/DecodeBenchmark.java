package dev.rewind.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.benchmarks.workload.ItemAdded;
import dev.rewind.benchmarks.workload.OrderPaid;
import dev.rewind.benchmarks.workload.OrderPaidV1;
import dev.rewind.benchmarks.workload.OrderPlaced;
import dev.rewind.internal.EventPipeline;
import dev.rewind.internal.EventTypeRegistry;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * Rewind's decode pipeline on one stored {@code OrderPaid}: decode + bind of the current version (v2),
 * decode + upcast + bind of a v1 record, and the v2 record through the same tree path without an
 * upcast step, so that the upcast step itself is {@code v1Upcast - v2ViaTree}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DecodeBenchmark {
    private static final EventUpcaster ADD_USD = json -> json.put("currency", "USD");
    private EventPipeline pipeline;
    private JacksonEventSerializer serializer;
    private StoredSerializedEvent v1;
    private StoredSerializedEvent v2;
    private byte[] v2Bytes;

    /** Encodes one event at each version. */
    @Setup
    public void setUp() {
        serializer = new JacksonEventSerializer();
        EventTypeRegistry types = EventTypeRegistry.builder()
                .type(OrderPlaced.class, "bench").type(ItemAdded.class, "bench").type(OrderPaid.class, "bench")
                .upcaster("OrderPaid", 1, ADD_USD, "bench").build();
        pipeline = new EventPipeline(types, serializer);
        v2Bytes = serializer.serialize(new OrderPaid("order-42", 123_456, "EUR"));
        byte[] v1Bytes = serializer.serialize(new OrderPaidV1("order-42", 123_456));
        Instant at = Instant.parse("2024-01-01T00:00:00Z");
        v1 = new StoredSerializedEvent(UUID.randomUUID(), "order-42", 9, 9, "OrderPaid", 1, at, v1Bytes, Metadata.EMPTY);
        v2 = new StoredSerializedEvent(UUID.randomUUID(), "order-42", 9, 9, "OrderPaid", 2, at, v2Bytes, Metadata.EMPTY);
    }

    /** @return the event: decode + bind of the current version */
    @Benchmark
    public StoredEvent<?> v2Current() {
        return pipeline.decode(v2);
    }

    /** @return the event: decode + upcast 1 -> 2 + bind */
    @Benchmark
    public StoredEvent<?> v1Upcast() {
        return pipeline.decode(v1);
    }

    /** @return the payload: the tree path of {@link #v1Upcast} without the upcast step (read tree, bind) */
    @Benchmark
    public Object v2ViaTree() {
        ObjectNode tree = serializer.readTree(v2Bytes);
        return serializer.bind(tree, OrderPaid.class);
    }
}
