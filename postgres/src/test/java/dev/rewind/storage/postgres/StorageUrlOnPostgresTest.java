package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.contract.ContractFixtures;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgreSQL chosen by configuration: a jdbc:postgresql: URL given to Rewind.builder().storage(url). */
class StorageUrlOnPostgresTest {
    private static final String SCHEMA = TestDatabase.schema("url_config");

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
        TestDatabase.dropSchema(SCHEMA);
    }

    private static String url() {
        String sep = TestDatabase.URL.contains("?") ? "&" : "?";
        return TestDatabase.URL + sep + "user=" + URLEncoder.encode(TestDatabase.USER, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(TestDatabase.PASSWORD, StandardCharsets.UTF_8)
                + "&rewindSchema=" + SCHEMA;
    }

    @Test
    void a_jdbc_postgresql_url_opens_the_postgres_storage_and_keeps_what_was_appended() {
        try (Rewind rewind = ContractFixtures.builder().storage(url()).build()) {
            rewind.store().append("s", ExpectedVersion.noStream(), List.of(new ContractFixtures.Placed("s", 7)));
        }
        try (Rewind again = ContractFixtures.builder().storage(url()).build()) {
            assertThat(again.store().readStream("s", 0)).singleElement()
                    .satisfies(e -> assertThat(e.payload()).isEqualTo(new ContractFixtures.Placed("s", 7)));
        }
    }

    @Test
    void url_parameters_are_read_and_the_schema_parameter_is_not_passed_to_the_driver() {
        String url = "jdbc:postgresql://h/db?user=a%40b&rewindSchema=x&password=p";
        assertThat(PostgresStorageProvider.parameter(url, "user")).isEqualTo("a@b");
        assertThat(PostgresStorageProvider.parameter(url, "password")).isEqualTo("p");
        assertThat(PostgresStorageProvider.parameter(url, "missing")).isNull();
        assertThat(PostgresStorageProvider.withoutParameter(url, "rewindSchema"))
                .isEqualTo("jdbc:postgresql://h/db?user=a%40b&password=p");
        assertThat(PostgresStorageProvider.withoutParameter("jdbc:postgresql://h/db?rewindSchema=x", "rewindSchema"))
                .isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void rewind_read_only_true_opens_the_store_read_only_and_a_bad_value_is_named() {
        try (Rewind rewind = ContractFixtures.builder().storage(url()).build()) {
            rewind.store().append("ro", ExpectedVersion.noStream(), List.of(new ContractFixtures.Placed("ro", 1)));
        }
        try (Rewind reader = ContractFixtures.builder().storage(url() + "&rewindReadOnly=true").build()) {
            assertThat(reader.store().readStream("ro", 0)).hasSize(1);
            assertThatThrownBy(() -> reader.store().append("ro", ExpectedVersion.any(),
                    List.of(new ContractFixtures.Placed("ro", 2)))).hasMessageContaining("read-only");
        }
        try (Rewind again = ContractFixtures.builder().storage(url()).build()) {
            assertThat(again.store().readStream("ro", 0)).hasSize(1);
        }
        assertThatThrownBy(() -> ContractFixtures.builder().storage(url() + "&rewindReadOnly=yes").build())
                .hasMessageContaining("rewindReadOnly").hasMessageContaining("'yes'");
    }
}
