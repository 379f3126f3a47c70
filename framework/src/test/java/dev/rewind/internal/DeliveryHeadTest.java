package dev.rewind.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.AppendResult;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery is told where the head is (by appends and notifications) instead of asking the storage on
 * every append: a database storage would pay a round trip per append for it, and an append whose batch
 * is stored must not fail because a read after it did.
 */
class DeliveryHeadTest {
    @RegisterExtension
    final LogCapture logged = new LogCapture(DefaultEventStore.class);

    /** The in-memory storage, counting the calls an append makes and failing reads when told to. */
    private static final class Counting implements EventStorage {
        final InMemoryStorage inner = new InMemoryStorage();
        final AtomicInteger heads = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicBoolean failReads = new AtomicBoolean();

        @Override
        public AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock) {
            return inner.append(streamId, expected, events, clock);
        }

        @Override
        public List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount,
                                                      ReadDirection direction) {
            return inner.readStream(streamId, fromVersion, maxCount, direction);
        }

        @Override
        public long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
            reads.incrementAndGet();
            if (failReads.get()) {
                throw new IllegalStateException("staged by DeliveryHeadTest: the storage cannot be read");
            }
            return inner.read(fromPosition, toPosition, visitor);
        }

        @Override
        public long lastVersion(String streamId) {
            return inner.lastVersion(streamId);
        }

        @Override
        public long positionOf(UUID eventId) {
            return inner.positionOf(eventId);
        }

        @Override
        public long nextPosition() {
            heads.incrementAndGet();
            return inner.nextPosition();
        }

        @Override
        public long firstPositionAtOrAfter(Instant instant) {
            return inner.firstPositionAtOrAfter(instant);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void appends_ask_the_storage_neither_for_its_head_nor_to_read_back_what_they_appended() {
        Counting storage = new Counting();
        try (Rewind rewind = ContractFixtures.builder().storage(storage).build()) {
            EventStore store = rewind.store();
            List<Long> seen = new ArrayList<>();
            store.append("before", ExpectedVersion.noStream(), List.of(new Placed("before", 1))); // nobody listens
            store.subscribe(e -> seen.add(e.globalPosition()));
            storage.heads.set(0);
            storage.reads.set(0);

            for (int i = 0; i < 5; i++) {
                store.append("order-" + i, ExpectedVersion.noStream(), List.of(new Placed("order-" + i, i),
                        new Placed("order-" + i, i + 1)));
            }

            assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(storage.heads.get()).as("head reads while appending").isZero();
            assertThat(storage.reads.get()).as("reads while appending: the appended events are delivered as they are")
                    .isZero();
        }
    }

    @Test
    void an_append_whose_delivery_fails_after_the_batch_is_stored_returns_its_result_and_delivery_catches_up_later() {
        Counting storage = new Counting();
        try (Rewind reader = ContractFixtures.builder().storage(storage).build();
             Rewind other = ContractFixtures.builder().storage(storage).build()) {
            List<Long> seen = new ArrayList<>();
            reader.store().subscribe(e -> seen.add(e.globalPosition()));
            other.store().append("elsewhere", ExpectedVersion.noStream(), List.of(new Placed("elsewhere", 1)));
            storage.failReads.set(true); // the reader's store must read position 0, which it did not append

            AppendResult result = reader.store().append("order-1", ExpectedVersion.noStream(),
                    List.of(new Placed("order-1", 2)));

            assertThat(result.events()).singleElement().satisfies(e -> assertThat(e.globalPosition()).isEqualTo(1));
            assertThat(storage.positionOf(result.events().get(0).eventId())).isEqualTo(1);
            assertThat(seen).as("nothing delivered yet: position 0 could not be read").isEmpty();
            assertThat(logged.events()).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).isEqualTo("appended 1 events to stream 'order-1' at global"
                        + " positions 1..1, but delivering them to subscribers failed (java.lang.IllegalStateException:"
                        + " staged by DeliveryHeadTest: the storage cannot be read); they are delivered with the next"
                        + " append or notification");
            });

            storage.failReads.set(false);
            reader.store().append("order-2", ExpectedVersion.noStream(), List.of(new Placed("order-2", 3)));

            assertThat(seen).containsExactly(0L, 1L, 2L);
        }
    }
}
