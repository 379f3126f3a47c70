package dev.rewind.storage.postgres;

import static dev.rewind.spi.projection.contract.ProjectionStoreContract.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.contract.ProjectionStoreContract;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The projection store contract on PostgreSQL (a freshly emptied schema per test), and what only this store
 * shows: a row changed in SQL is reported naming the table, runner and position, never returned; a storage
 * opened read-only refuses every write and creates nothing, not even the tables over a schema of the
 * previous release; two storages on one schema (two application instances) see each other's checkpoints.
 */
class PostgresProjectionStoreTest extends FreshSchemaTest implements ProjectionStoreContract {
    private static final String SCHEMA = TestDatabase.schema("projection_store");

    PostgresProjectionStoreTest() {
        super(SCHEMA);
    }

    @Override
    public ProjectionStore projectionStore() {
        return storage.projectionStore();
    }

    @Test
    void the_storage_hosts_one_projection_store_in_its_schema() {
        assertThat(storage.projectionStore()).isSameAs(storage.projectionStore());
        storage.projectionStore().save(checkpoint("totals", 5, new byte[] {1}));
        assertThat(count("SELECT count(*) FROM " + SCHEMA + ".rewind_checkpoints WHERE name = 'totals' AND position = 5"))
                .isEqualTo(1);
    }

    @Test
    void a_snapshot_changed_in_sql_is_reported_naming_table_runner_and_position_never_returned() {
        storage.projectionStore().save(checkpoint("totals", 5, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        storage.projectionStore().saveHistory(checkpoint("totals", 3, "{\"a\":0}".getBytes(StandardCharsets.UTF_8)));
        sql("UPDATE " + SCHEMA + ".rewind_checkpoints SET snapshot = set_byte(snapshot, 5, 50) WHERE name = 'totals'");
        sql("UPDATE " + SCHEMA + ".rewind_projection_history SET snapshot = '\\x7b7d' WHERE name = 'totals'");

        assertThatThrownBy(() -> storage.projectionStore().load("totals"))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("the row of 'totals' at position 5 in table " + SCHEMA
                        + ".rewind_checkpoints is damaged: checksum mismatch");
        assertThatThrownBy(() -> storage.projectionStore().loadHistory("totals", 3))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("the row of 'totals' at position 3 in table " + SCHEMA
                        + ".rewind_projection_history is damaged: checksum mismatch");
        assertThat(storage.projectionStore().history("totals")).as("listed without reading the snapshot").hasSize(1);

        // a sound save replaces the damaged row
        Checkpoint next = checkpoint("totals", 6, new byte[] {7});
        storage.projectionStore().save(next);
        assertThat(storage.projectionStore().load("totals")).contains(next);
    }

    @Test
    void any_column_changed_in_sql_is_damage_too_not_only_the_snapshot() {
        storage.projectionStore().save(checkpoint("totals", 5, null));
        sql("UPDATE " + SCHEMA + ".rewind_checkpoints SET applied = applied + 1 WHERE name = 'totals'");
        assertThatThrownBy(() -> storage.projectionStore().load("totals"))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("'totals' at position 5 in table " + SCHEMA + ".rewind_checkpoints");

        storage.projectionStore().save(checkpoint("parked", 5, null));
        sql("UPDATE " + SCHEMA + ".rewind_checkpoints SET parked = '[]' WHERE name = 'parked'");
        assertThatThrownBy(() -> storage.projectionStore().load("parked"))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void two_storages_on_one_schema_see_each_others_checkpoints() {
        try (PostgresStorage other = TestDatabase.builder(SCHEMA).build()) {
            Checkpoint first = checkpoint("totals", 5, new byte[] {1, 2});
            storage.projectionStore().save(first);
            assertThat(other.projectionStore().load("totals")).contains(first);

            Checkpoint second = checkpoint("totals", 9, new byte[] {3});
            other.projectionStore().save(second);
            other.projectionStore().saveHistory(second);
            assertThat(storage.projectionStore().load("totals")).contains(second);
            assertThat(storage.projectionStore().loadHistory("totals", 9)).contains(second);

            storage.projectionStore().delete("totals");
            assertThat(other.projectionStore().load("totals")).isEmpty();
            assertThat(other.projectionStore().history("totals")).isEmpty();
        }
    }

    @Test
    void a_read_only_storage_reads_the_checkpoints_and_refuses_every_write_changing_nothing() {
        Checkpoint saved = checkpoint("totals", 5, new byte[] {1});
        storage.projectionStore().save(saved);
        storage.projectionStore().saveHistory(saved);
        try (PostgresStorage reader = TestDatabase.builder(SCHEMA).readOnly().build()) {
            ProjectionStore store = reader.projectionStore();
            assertThat(store.isReadOnly()).isTrue();
            assertThat(store.load("totals")).contains(saved);
            assertThat(store.loadHistory("totals", 5)).contains(saved);

            assertThatThrownBy(() -> store.save(checkpoint("totals", 6, null)))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> store.saveHistory(checkpoint("totals", 6, null)))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> store.deleteHistory("totals", 5))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> store.delete("totals"))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> reader.append("s", dev.rewind.ExpectedVersion.any(), TestRecords.batch(1, "r"),
                    Clock.systemUTC()))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only: appends are refused");
        }
        assertThat(storage.projectionStore().load("totals")).contains(saved);
        assertThat(storage.projectionStore().loadHistory("totals", 5)).contains(saved);
        assertThat(storage.nextPosition()).isZero();
    }

    @Test
    void a_read_only_storage_over_a_schema_of_the_previous_release_finds_nothing_and_creates_no_table() {
        storage.close();
        // the schema as version 4 left it: no projection tables, no leases, no instances
        sql("DROP TABLE " + SCHEMA + ".rewind_checkpoints, " + SCHEMA + ".rewind_projection_history, " + SCHEMA
                + ".rewind_leases, " + SCHEMA + ".rewind_instances");
        sql("DELETE FROM " + SCHEMA + ".rewind_schema_version WHERE version >= 5");

        try (PostgresStorage reader = TestDatabase.builder(SCHEMA).readOnly().build()) {
            ProjectionStore store = reader.projectionStore();
            assertThat(store.load("totals")).isEmpty();
            assertThat(store.history("totals")).isEmpty();
            assertThat(store.loadHistory("totals", 1)).isEmpty();
            assertThat(((PostgresProjectionStore) store).holder("totals")).isEmpty();
            assertThat(((PostgresProjectionStore) store).members()).isEmpty();
            assertThatThrownBy(() -> store.save(checkpoint("totals", 1, null)))
                    .isInstanceOf(EventStoreException.class).hasMessageContaining("read-only");
        }
        assertThat(count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + SCHEMA
                + "' AND tablename IN ('rewind_checkpoints', 'rewind_projection_history', 'rewind_leases',"
                + " 'rewind_instances')")).isZero();
        assertThat(count("SELECT max(version) FROM " + SCHEMA + ".rewind_schema_version")).isEqualTo(4);

        storage = TestDatabase.builder(SCHEMA).build(); // a writable one migrates (and is closed after the test)
        assertThat(count("SELECT max(version) FROM " + SCHEMA + ".rewind_schema_version")).isEqualTo(7);
        storage.projectionStore().save(checkpoint("totals", 1, null));
    }

    @Test
    void a_read_only_storage_over_a_schema_without_a_store_fails_and_creates_no_schema() {
        String nowhere = TestDatabase.schema("projection_store_none");
        TestDatabase.dropSchema(nowhere);
        assertThatThrownBy(() -> TestDatabase.builder(nowhere).readOnly().build())
                .isInstanceOf(EventStoreException.class)
                .hasMessage("the PostgreSQL schema '" + nowhere + "' holds no Rewind store: a storage opened read-only"
                        + " creates none");
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = '" + nowhere + "'")).isZero();
    }

    private static void sql(String statement) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    private static long count(String query) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }
}
