package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.contract.ContractFixtures;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Start-up: the schema is created, migrated once, and refused when newer; connection failures are clear. */
class SchemaAndConnectionTest {
    private static final String SCHEMA = TestDatabase.schema("schema_test");

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    @Test
    void the_schema_is_created_at_start_up_and_its_version_recorded_once_however_often_the_store_starts()
            throws Exception {
        TestDatabase.dropSchema(SCHEMA);
        try (PostgresStorage first = TestDatabase.builder(SCHEMA).build()) {
            first.append("s", ExpectedVersion.noStream(), TestRecords.batch(1, "kept"), Clock.systemUTC());
        }
        try (PostgresStorage again = TestDatabase.builder(SCHEMA).build()) {
            assertThat(again.nextPosition()).isEqualTo(1);
        }
        assertThat(versions()).containsExactly("1 V1__events.sql", "2 V2__append_function.sql",
                "3 V3__append_custom_plans.sql", "4 V4__append_groups.sql", "5 V5__projections.sql", "6 V6__leases.sql",
                "7 V7__instances.sql");
    }

    @Test
    void a_schema_newer_than_the_code_is_refused_with_a_message_naming_both_versions() throws Exception {
        TestDatabase.dropSchema(SCHEMA);
        TestDatabase.builder(SCHEMA).build().close();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + SCHEMA + ".rewind_schema_version (version, script) VALUES (99, 'V99__future.sql')");
        }
        assertThatThrownBy(() -> TestDatabase.builder(SCHEMA).build())
                .isInstanceOf(EventStoreException.class)
                .hasMessage("the PostgreSQL schema '" + SCHEMA + "' is at version 99, newer than this Rewind version"
                        + " knows (7): upgrade Rewind before using this store");
    }

    @Test
    void a_server_that_does_not_answer_is_a_storage_unavailable_error_naming_the_url_and_user() {
        assertThatThrownBy(() -> PostgresStorage.connect("jdbc:postgresql://localhost:1/nowhere", "someone", "x"))
                .isInstanceOf(StorageUnavailableException.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL at jdbc:postgresql://localhost:1/nowhere as user"
                        + " 'someone': ");
    }

    @Test
    void a_url_that_is_not_a_postgresql_jdbc_url_is_refused() {
        assertThatThrownBy(() -> PostgresStorage.builder("jdbc:mysql://localhost/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a PostgreSQL JDBC URL: 'jdbc:mysql://localhost/db' (expected"
                        + " jdbc:postgresql://host:port/database)");
    }

    @Test
    void time_searches_beyond_what_postgresql_can_store_answer_the_start_or_the_head() {
        TestDatabase.dropSchema(SCHEMA);
        PostgresStorage storage = TestDatabase.builder(SCHEMA).build();
        try (Rewind rewind = ContractFixtures.builder().storage(storage).build()) { // closes the storage
            storage.append("s", ExpectedVersion.noStream(), TestRecords.batch(2, "t"), Clock.systemUTC());

            assertThat(storage.firstPositionAtOrAfter(Instant.MIN)).isZero();
            assertThat(rewind.store().firstPositionAfter(Instant.MIN)).isZero();
            assertThat(storage.firstPositionAtOrAfter(Instant.MAX)).isEqualTo(2);
            assertThat(rewind.store().firstPositionAfter(Instant.MAX)).isEqualTo(2);
        }
    }

    private static List<String> versions() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, script FROM " + SCHEMA + ".rewind_schema_version ORDER BY version")) {
            while (rs.next()) {
                out.add(rs.getInt(1) + " " + rs.getString(2));
            }
        }
        return out;
    }
}
