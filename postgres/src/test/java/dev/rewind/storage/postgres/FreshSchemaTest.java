package dev.rewind.storage.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that run against one storage on a freshly emptied schema per test: skips the class when
 * no server answers, opens {@link #storage} before each test and closes it after.
 */
abstract class FreshSchemaTest {
    /** The schema this class's tests use, emptied before each test. */
    final String schema;
    /** The storage on {@link #schema}, open during each test. */
    PostgresStorage storage;

    /** @param schema the schema this class's tests use */
    FreshSchemaTest(String schema) {
        this.schema = schema;
    }

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @BeforeEach
    void open() {
        storage = TestDatabase.fresh(schema);
    }

    @AfterEach
    void close() {
        storage.close();
    }
}
