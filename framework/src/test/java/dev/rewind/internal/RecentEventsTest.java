package dev.rewind.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ring of recent events: what a reader is given, waits for, and gives up on. */
class RecentEventsTest {

    private static StoredEvent<?> at(long position) {
        return new StoredEvent<>(UUID.randomUUID(), "s", position, position, "T", 1, Instant.EPOCH, "p",
                Metadata.EMPTY);
    }

    @Test
    void with_no_append_in_flight_a_missing_event_is_not_waited_for() {
        RecentEvents r = new RecentEvents();
        assertNull(r.await(5), "nothing in flight: the caller reads the store at once");
    }

    @Test
    void an_event_overwritten_by_a_later_one_is_not_waited_for() {
        RecentEvents r = new RecentEvents();
        r.appendStarts();
        r.put(at(8192 + 3)); // the same slot as position 3, later
        assertNull(r.await(3), "overwritten: only the store has it");
        r.appendEnds();
    }

    @Test
    void an_event_an_append_in_flight_puts_is_waited_for() throws Exception {
        RecentEvents r = new RecentEvents();
        r.appendStarts();
        StoredEvent<?> e = at(7);
        CountDownLatch waiting = new CountDownLatch(1);
        Thread appender = new Thread(() -> {
            try {
                waiting.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            r.put(e);
            r.appendEnds();
        });
        appender.start();
        waiting.countDown();
        StoredEvent<?> got = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got == null && System.nanoTime() < deadline) { // a wait is bounded; on a busy machine ask again
            got = r.await(7);
        }
        appender.join(5_000);
        assertSame(e, got);
        assertTrue(!r.appending(), "the append ended");
    }

    @Test
    void an_append_that_never_puts_its_event_holds_a_reader_a_millisecond_at_most() {
        RecentEvents r = new RecentEvents();
        r.appendStarts(); // and never ends: the event came from another process
        long t0 = System.nanoTime();
        assertNull(r.await(11));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "the wait is bounded");
    }
}
