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

    @Override
    protected EventStorage reopen(EventStorage storage) {
        storage.close();
        return TestDatabase.builder(((PostgresStorage) storage).schema()).build();
    }
}
