package dev.rewind.storage.postgres;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a PostgreSQL test class does around all its tests: it requires the server first (its tests are
 * skipped without one, or fail under {@code CI=true}: {@link TestDatabase#requireServer()}) and drops its
 * schemas after them. Registered as a static field declared after the schema names:
 * {@code @RegisterExtension static final TestSchemas SCHEMAS = TestSchemas.dropping(SCHEMA);}
 */
final class TestSchemas implements BeforeAllCallback, AfterAllCallback {
    private final List<String> schemas;

    private TestSchemas(List<String> schemas) {
        this.schemas = schemas;
    }

    /** @return the lifecycle that drops these schemas once the class's tests are done */
    static TestSchemas dropping(String... schemas) {
        return new TestSchemas(List.of(schemas));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        TestDatabase.requireServer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        schemas.forEach(TestDatabase::dropSchema);
    }
}
