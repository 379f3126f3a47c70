package dev.rewind.spi.storage.contract;

import dev.rewind.EventStore;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.EventStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The storage contract: every {@link EventStorage} runs this suite by extending it in a few lines and
 * saying how to open a fresh storage (and, for durable storages, how to reopen it).
 *
 * <pre>{@code
 * class MyStorageTest extends EventStorageContract {
 *     protected EventStorage newStorage() { return MyStorage.create(freshPlace()); }
 *     protected EventStorage reopen(EventStorage s) { s.close(); return MyStorage.open(placeOf(s)); }
 * }
 * }</pre>
 *
 * The tests live in one interface per concern, each a file of this package: {@link NumberingContract},
 * {@link EventIdContract}, {@link ReadContract}, {@link TimeContract}, {@link ReplayContract},
 * {@link SubscriberContract}, {@link ImmutabilityContract}, {@link RawAppendContract},
 * {@link DurabilityContract} and {@link ConcurrencyContract} go through the public {@link EventStore}
 * built over the storage; {@link StoragePortContract} drives the storage's eight methods and its
 * capabilities directly, below the store. They read the state of the running test through
 * {@link ContractContext}, which this class implements: a fresh storage per test, the store built over
 * it by {@link #open(EventStorage)}, and a {@link MutableClock} the test moves by hand.
 *
 * <p>Subscriber tests wait for delivery (up to {@link #DELIVERY_WAIT}) rather than assuming it happens
 * inside {@code append}: a storage may deliver from its own notification thread.
 */
public abstract class EventStorageContract implements NumberingContract, EventIdContract, ReadContract,
        TimeContract, ReplayContract, SubscriberContract, ImmutabilityContract, RawAppendContract,
        DurabilityContract, ConcurrencyContract, StoragePortContract {

    private EventStorage storage;
    private MutableClock clock;
    private Rewind rewind;
    private EventStore store;

    /** @return a new, empty storage */
    protected abstract EventStorage newStorage();

    /**
     * Closes {@code storage} and opens the same data again. Storages that keep nothing across a close
     * (in memory) return null, and the durability test is skipped for them.
     *
     * @param storage an open storage
     * @return the reopened storage, or null
     */
    protected EventStorage reopen(EventStorage storage) {
        return null;
    }

    /**
     * Opens a second storage on the data of {@code storage}, which stays open: what another process
     * sharing the store would open. Storages that one process owns (in memory, or the file log with its
     * one writer per directory) return null, and the tests of appends made elsewhere are skipped for them.
     *
     * @param storage an open storage
     * @return a second, open storage on the same data, or null
     */
    protected EventStorage openAnother(EventStorage storage) {
        return null;
    }

    /**
     * How many appends each of the 8 threads of the concurrency test makes. Lower it only if the
     * storage cannot do better (say why in the override).
     *
     * @return appends per thread, 5,000 by default
     */
    protected int concurrentAppendsPerThread() {
        return 5_000;
    }

    /**
     * @param s a storage
     * @return a Rewind with the fixture types over it, stamping from {@link #clock()}
     */
    protected Rewind open(EventStorage s) {
        return ContractFixtures.builder().storage(s).clock(clock).build();
    }

    @BeforeEach
    void openStore() {
        clock = new MutableClock(T0);
        storage = newStorage();
        rewind = open(storage);
        store = rewind.store();
    }

    @AfterEach
    void closeStore() {
        rewind.close();
    }

    @Override
    public final EventStore store() {
        return store;
    }

    @Override
    public final EventStorage storage() {
        return storage;
    }

    @Override
    public final MutableClock clock() {
        return clock;
    }

    /** @return the Rewind built over {@link #storage()}, closed after each test */
    protected final Rewind rewind() {
        return rewind;
    }

    @Override
    public final boolean reopenStorage() {
        EventStorage reopened = reopen(storage);
        if (reopened == null) {
            return false;
        }
        storage = reopened;
        rewind = open(reopened); // the old Rewind's storage is closed: closing the new one is enough
        store = rewind.store();
        return true;
    }

    @Override
    public final EventStorage openAnotherInstance() {
        return openAnother(storage);
    }

    @Override
    public final int appendsPerThread() {
        return concurrentAppendsPerThread();
    }
}
