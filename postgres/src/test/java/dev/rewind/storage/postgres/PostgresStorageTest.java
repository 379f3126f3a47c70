package dev.rewind.storage.postgres;

import dev.rewind.spi.EventStorage;
import dev.rewind.spi.EventStorageContract;
import org.junit.jupiter.api.BeforeAll;

/** The storage contract, unchanged, on PostgreSQL: every test starts on a freshly emptied schema. */
class PostgresStorageTest extends EventStorageContract {
    private static final String SCHEMA = "contract";

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Override
    protected EventStorage newStorage() {
        return TestDatabase.fresh(SCHEMA);
    }

    /**
     * Overrides the contract's 5,000 appends per thread (no {@code @Override}, so this compiles against
     * a contract without the hook): every PostgreSQL append is a durable commit, one after another,
     * and 40,000 of them would take minutes on a small machine. 400 per thread still makes 8 threads
     * conflict on shared streams thousands of times.
     *
     * @return appends per thread in the concurrency test
     */
    protected int concurrentAppendsPerThread() {
        return 400;
    }

    @Override
    protected EventStorage reopen(EventStorage storage) {
        storage.close();
        return TestDatabase.builder(((PostgresStorage) storage).schema()).build();
    }
}
