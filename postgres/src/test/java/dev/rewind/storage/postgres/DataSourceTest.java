package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.NewEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.spi.storage.contract.ContractFixtures.Added;
import dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A storage built on the application's own pool ({@code PostgresStorage.builder(dataSource)}): the
 * application's connections have their own search path (here a decoy schema holding a store of its
 * own, so that a statement that followed the search path would land there), and auto-commit off.
 */
class DataSourceTest {
    private static final String SCHEMA = TestDatabase.schema("from_datasource");
    private static final String DECOY = TestDatabase.schema("datasource_app");
    private static final String APPLICATION = "rewind-datasource-test";

    private HikariDataSource application;

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @BeforeEach
    void applicationPool() {
        TestDatabase.dropSchema(SCHEMA);
        TestDatabase.fresh(DECOY).close(); // rewind_events and rewind_append in the application's own schema
        HikariConfig config = new HikariConfig();
        config.setPoolName("application");
        config.setJdbcUrl(TestDatabase.URL);
        config.setUsername(TestDatabase.USER);
        config.setPassword(TestDatabase.PASSWORD);
        config.setSchema(DECOY);
        config.setAutoCommit(false);
        config.setMaximumPoolSize(3); // one is held for LISTEN
        config.addDataSourceProperty("ApplicationName", APPLICATION);
        config.setConnectionTimeout(5_000);
        application = new HikariDataSource(config);
    }

    @AfterEach
    void closePool() {
        application.close();
    }

    @Test
    void events_go_to_the_storages_schema_and_closing_the_storage_leaves_the_pool_open_and_its_connections_as_they_were()
            throws Exception {
        List<NewEvent> batch = List.of(NewEvent.of(new Placed("o", 2)), NewEvent.of(new Added("o", "sku", 100)));
        List<StoredEvent<?>> read;
        PostgresStorage storage = PostgresStorage.builder(application).schema(SCHEMA)
                .pollInterval(Duration.ofMillis(200)).build();
        try (Rewind rewind = ContractFixtures.builder().storage(storage).build()) {
            AppendResult first = rewind.store().append("o", ExpectedVersion.noStream(), batch);
            AppendResult retry = rewind.store().append("o", ExpectedVersion.noStream(), batch); // the transaction path
            rewind.store().append("o", ExpectedVersion.exactly(1), List.of(new Added("o", "more", 5)));

            assertThat(retry.alreadyAppended()).isTrue();
            assertThat(retry.events()).isEqualTo(first.events());
            read = rewind.store().readAll(0, 10);
            assertThat(read).hasSize(3);
            assertThat(rewind.store().readStream("o", 0)).isEqualTo(read);
        }

        assertThat(count(SCHEMA)).as("committed, in the storage's schema, seen from another session").isEqualTo(3);
        assertThat(count(DECOY)).as("nothing in the application's schema").isZero();
        assertThat(application.isClosed()).isFalse();
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                all.add(application.getConnection());
            }
            for (Connection c : all) {
                assertThat(c.getAutoCommit()).isFalse();
                assertThat(text(c, "SHOW search_path")).isEqualTo(DECOY);
                assertThat(text(c, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
                c.rollback();
            }
        } finally {
            for (Connection c : all) {
                c.close();
            }
        }
        try (PostgresStorage again = PostgresStorage.builder(application).schema(SCHEMA).build()) {
            assertThat(again.nextPosition()).isEqualTo(3);
        }
    }

    @Test
    void subscribers_over_the_applications_pool_hear_of_appends_made_by_another_instance() throws Exception {
        BlockingQueue<StoredEvent<?>> received = new LinkedBlockingQueue<>();
        PostgresStorage listening = PostgresStorage.builder(application).schema(SCHEMA)
                .pollInterval(Duration.ofSeconds(30)).build(); // so that the notification, not polling, delivers
        try (Rewind reader = ContractFixtures.builder().storage(listening).build();
             Rewind writer = ContractFixtures.builder().storage(TestDatabase.builder(SCHEMA).build()).build()) {
            reader.store().subscribe(received::add);
            awaitListening();

            writer.store().append("o", ExpectedVersion.noStream(), List.of(new Placed("o", 7)));

            StoredEvent<?> event = received.poll(20, TimeUnit.SECONDS);
            assertThat(event).isNotNull();
            assertThat(event.payload()).isEqualTo(new Placed("o", 7));
        }
        assertThat(application.isClosed()).isFalse();
    }

    /** Waits (bounded) until one of the application's connections is the storage's LISTEN connection. */
    private static void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String listening = "0";
        while (!listening.equals("1") && System.nanoTime() < deadline) {
            try (Connection c = TestDatabase.connect()) {
                listening = text(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APPLICATION
                        + "' AND query LIKE 'LISTEN%'");
            }
            if (!listening.equals("1")) {
                Thread.sleep(20);
            }
        }
        assertThat(listening).as("the storage listens on a connection of the application's pool").isEqualTo("1");
    }

    private static long count(String schema) throws SQLException {
        try (Connection c = TestDatabase.connect()) {
            return Long.parseLong(text(c, "SELECT count(*) FROM " + PostgresSettings.quote(schema) + ".rewind_events"));
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
