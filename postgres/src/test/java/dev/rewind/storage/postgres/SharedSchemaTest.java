package dev.rewind.storage.postgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests of what two application instances share through one schema: {@link #storage} and
 * {@link #other}, two storages on the same freshly emptied schema, open during each test.
 */
abstract class SharedSchemaTest extends FreshSchemaTest {
    /** The second instance's storage, on {@link #schema} too. */
    PostgresStorage other;

    /** @param schema the schema both storages use */
    SharedSchemaTest(String schema) {
        super(schema);
    }

    @BeforeEach
    void openOther() {
        other = TestDatabase.builder(schema).build();
    }

    @AfterEach
    void closeOther() {
        other.close();
    }
}
