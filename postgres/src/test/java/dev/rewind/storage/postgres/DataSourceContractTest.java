package dev.rewind.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.contract.EventStorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract on a storage built from an application's {@link javax.sql.DataSource}, whose
 * SQL differs from the URL-built one's (it names the schema, and the append sets the search path for
 * its own transaction). The application's connections search a schema that does not exist, so any
 * statement that relied on the search path would fail.
 */
class DataSourceContractTest extends EventStorageContract {
    private static final String SCHEMA = TestDatabase.schema("contract_datasource");
    private static HikariDataSource application;

    @BeforeAll
    static void applicationPool() {
        TestDatabase.requireServer();
        HikariConfig config = new HikariConfig();
        config.setPoolName("application");
        config.setJdbcUrl(TestDatabase.URL);
        config.setUsername(TestDatabase.USER);
        config.setPassword(TestDatabase.PASSWORD);
        config.setSchema("no_such_schema");
        config.setMaximumPoolSize(12); // the concurrency test's 8 writers, and a LISTEN connection per storage
        config.setConnectionTimeout(10_000);
        application = new HikariDataSource(config);
    }

    @AfterAll
    static void closePool() {
        if (application != null) {
            application.close();
        }
    }

    private static PostgresStorage open() {
        return PostgresStorage.builder(application).schema(SCHEMA).pollInterval(java.time.Duration.ofMillis(200))
                .build();
    }

    @Override
    protected EventStorage newStorage() {
        TestDatabase.dropSchema(SCHEMA);
        return open();
    }

    /**
     * As {@link PostgresStorageTest}: every append is a durable commit, one after another.
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
        return open();
    }

    @Override
    protected EventStorage openAnother(EventStorage storage) {
        return open();
    }
}
