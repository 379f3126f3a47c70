package dev.rewind.storage.postgres;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.contract.EventStorageContract;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract, unchanged, on PostgreSQL: every test starts on a freshly emptied schema. A second
 * storage on the same schema stands for another application instance, so the port's test of appends
 * made elsewhere runs here.
 */
class PostgresStorageTest extends EventStorageContract {
    private static final String SCHEMA = TestDatabase.schema("contract");

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Override
    protected EventStorage newStorage() {
        return TestDatabase.fresh(SCHEMA);
    }

    /**
     * Every PostgreSQL append is a durable commit, one after another, and 40,000 of them would take
     * minutes on a small machine. 400 per thread still makes 8 threads conflict on shared streams
     * thousands of times.
     *
     * @return appends per thread in the concurrency test
     */
    @Override
    protected int concurrentAppendsPerThread() {
        return 400;
    }

    @Override
    protected EventStorage reopen(EventStorage storage) {
        storage.close();
        return TestDatabase.builder(((PostgresStorage) storage).schema()).build();
    }

    @Override
    protected EventStorage openAnother(EventStorage storage) {
        return TestDatabase.builder(((PostgresStorage) storage).schema()).build();
    }
}
