package dev.rewind.spi.storage.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.EventStore;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What every part of the storage contract reads: the storage under test, the store built over it and
 * the clock, for the test running now. {@link EventStorageContract} implements it (and every part);
 * each part is an interface of {@code default} test methods that reads the state through these
 * accessors, so the suite is split by concern while a backend still extends one class.
 */
public interface ContractContext {
    /** The instant the clock starts at in every test. */
    Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    /** How long a test waits for a delivery or a notification before it calls it lost (a deadlock guard). */
    Duration DELIVERY_WAIT = Duration.ofSeconds(30);

    /** @return the store under test, built over {@link #storage()} */
    EventStore store();

    /** @return the storage under test (a fresh, empty one for every test) */
    EventStorage storage();

    /** @return the clock the store stamps {@code recordedAt} from; starts at {@link #T0}, fixed */
    MutableClock clock();

    /**
     * Closes the storage under test and opens the same data again (with
     * {@link EventStorageContract#reopen}), then builds a new store over it; {@link #storage()} and
     * {@link #store()} return the new ones afterwards.
     *
     * @return false, and nothing changed, when the storage keeps nothing across a close
     */
    boolean reopenStorage();

    /**
     * Opens a second storage instance on the data of {@link #storage()} while it stays open (with
     * {@link EventStorageContract#openAnother}), as another process sharing the store would.
     *
     * @return the second instance (the caller closes it), or null when the storage cannot be shared
     */
    EventStorage openAnotherInstance();

    /** @return how many appends each thread of the concurrency test makes */
    int appendsPerThread();

    /**
     * Reads through the port, below the store.
     *
     * @param fromPosition the first global position
     * @param toPosition the end (exclusive)
     * @return what {@link EventStorage#read} visits, in order
     */
    default List<StoredSerializedEvent> stored(long fromPosition, long toPosition) {
        List<StoredSerializedEvent> out = new ArrayList<>();
        storage().read(fromPosition, toPosition, out::add);
        return out;
    }

    /**
     * Waits until {@code list} holds at least {@code size} elements: delivery may run on another thread.
     *
     * @param list filled by a subscriber
     * @param size the size to wait for
     */
    static void awaitSize(List<?> list, int size) {
        long deadline = System.nanoTime() + DELIVERY_WAIT.toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for delivery", e);
            }
        }
        assertThat(list).as("delivered within %s", DELIVERY_WAIT).hasSizeGreaterThanOrEqualTo(size);
    }
}
