package dev.rewind;

import dev.rewind.internal.DefaultEventStore;
import dev.rewind.internal.EventPipeline;
import dev.rewind.internal.EventTypeRegistry;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entry point: builds an event store (and everything around it) once, at start-up.
 *
 * <pre>{@code
 * try (Rewind rewind = Rewind.builder()
 *         .storage(new InMemoryStorage())
 *         .eventTypes(OrderPlaced.class, OrderPaid.class)
 *         .build()) {
 *     rewind.store().append("order-42", ExpectedVersion.noStream(), List.of(new OrderPlaced(...)));
 * }
 * }</pre>
 *
 * Closing it closes the storage.
 */
public final class Rewind implements AutoCloseable {
    private final EventStorage storage;
    private final DefaultEventStore store;

    private Rewind(Builder b) {
        this.storage = b.storage == null ? new InMemoryStorage() : b.storage;
        EventTypeRegistry.Builder types = EventTypeRegistry.builder();
        for (Class<?> c : b.eventTypes) {
            types.type(c, "Rewind.builder().eventTypes");
        }
        for (UpcasterDecl u : b.upcasters) {
            types.upcaster(u.type(), u.from(), u.upcaster(), u.upcaster().getClass().getName());
        }
        EventPipeline pipeline = new EventPipeline(types.build(), new JacksonEventSerializer());
        this.store = new DefaultEventStore(storage, pipeline, b.clock);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the event store */
    public EventStore store() {
        return store;
    }

    /** Closes the storage. */
    @Override
    public void close() {
        storage.close();
    }

    private record UpcasterDecl(String type, int from, EventUpcaster upcaster) {
    }

    /** Configures a {@link Rewind}. */
    public static final class Builder {
        private EventStorage storage;
        private Clock clock = Clock.systemUTC();
        private final List<Class<?>> eventTypes = new ArrayList<>();
        private final List<UpcasterDecl> upcasters = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param storage where events are kept (default: in memory)
         * @return this
         */
        public Builder storage(EventStorage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /**
         * @param clock the clock that stamps {@code recordedAt} (default: the system UTC clock)
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param types records annotated with {@link dev.rewind.annotation.Event}
         * @return this
         */
        public Builder eventTypes(Class<?>... types) {
            eventTypes.addAll(List.of(types));
            return this;
        }

        /**
         * @param type the event type name
         * @param from the version the upcaster reads
         * @param upcaster turns version {@code from} into {@code from + 1}
         * @return this
         */
        public Builder upcaster(String type, int from, EventUpcaster upcaster) {
            upcasters.add(new UpcasterDecl(type, from, upcaster));
            return this;
        }

        /**
         * Validates the configuration and builds.
         *
         * @return the started Rewind
         */
        public Rewind build() {
            return new Rewind(this);
        }
    }
}
