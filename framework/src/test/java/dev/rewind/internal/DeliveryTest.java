package dev.rewind.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.EventListener;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.spi.storage.contract.ContractFixtures.Added;
import dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Delivery to subscribers: what is logged, what is skipped, and order under concurrent appenders. */
class DeliveryTest {
    @RegisterExtension
    final LogCapture logged = new LogCapture(Delivery.class);
    private final InMemoryStorage storage = new InMemoryStorage();
    private Rewind rewind;
    private EventStore store;

    @BeforeEach
    void setUp() {
        rewind = ContractFixtures.builder().storage(storage).build();
        store = rewind.store();
    }

    @AfterEach
    void tearDown() {
        rewind.close();
    }

    @Test
    void a_subscriber_that_throws_is_logged_as_an_error_naming_it_the_position_the_type_and_the_stream() {
        IllegalStateException failure = new IllegalStateException("staged by DeliveryTest");
        store.subscribe(new EventListener() {
            @Override
            public void on(StoredEvent<?> event) {
                throw failure;
            }

            @Override
            public String toString() {
                return "the-failing-subscriber";
            }
        });

        store.append("order-7", ExpectedVersion.noStream(), List.of(new Placed("order-7", 1)));

        assertThat(logged.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).isEqualTo(
                    "subscriber the-failing-subscriber failed on the event at global position 0 (Placed in stream 'order-7');"
                            + " delivery goes on");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("staged by DeliveryTest");
        });
    }

    @Test
    void an_event_that_cannot_be_decoded_is_logged_and_skipped_and_later_events_are_still_delivered() {
        // A second store over the same storage that does not know Added.
        EventStore narrower = Rewind.builder().storage(storage).eventTypes(Placed.class).build().store();
        List<Long> seen = new ArrayList<>();
        narrower.subscribe(e -> seen.add(e.globalPosition()));
        store.append("a", ExpectedVersion.noStream(), List.of(new Added("a", "sku", 1)));

        narrower.append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1)));

        assertThat(seen).containsExactly(1L);
        assertThat(logged.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).startsWith(
                    "cannot deliver the event at global position 0: unknown event type 'Added' at global position 0");
        });
    }

    @Test
    void every_event_of_concurrent_appenders_is_delivered_once_in_global_order_to_one_subscriber_at_a_time()
            throws Exception {
        int threads = 4;
        int perThread = 2_000;
        List<Long> seen = new ArrayList<>(); // touched by one delivering thread at a time
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        store.subscribe(e -> {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            seen.add(e.globalPosition());
            inside.decrementAndGet();
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String stream = "s-" + t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.append(stream, ExpectedVersion.any(), List.of(new Placed(stream, i)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        // Delivery runs inside some append call, and whoever delivers goes on up to the head before it
        // returns: once every append has returned, everything has been delivered.
        List<Long> expected = new ArrayList<>();
        for (long p = 0; p < (long) threads * perThread; p++) {
            expected.add(p);
        }
        assertThat(seen).isEqualTo(expected);
        assertThat(overlaps).hasValue(0);
        assertThat(((DefaultEventStore) store).deliveredUpTo()).isEqualTo(threads * perThread);
    }

    @Test
    void a_subscriber_is_not_told_of_events_stored_before_it_subscribed() {
        store.append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        List<Long> seen = new ArrayList<>();
        store.subscribe(e -> seen.add(e.globalPosition()));
        store.append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));
        assertThat(seen).containsExactly(1L);
    }
}
