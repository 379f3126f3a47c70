package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.Rewind;
import dev.rewind.annotation.CreateTables;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.storage.memory.InMemoryStorage;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * The rules of a table projection (a handler takes a {@code java.sql.Connection},
 * docs/adr/0016-table-projections.md) that need no database: it must be asynchronous, and its projection
 * store must run batches in transactions; its {@code @CreateTables} method takes one Connection, and only a
 * table projection has one; each mistake stops {@code build()} naming the projection (or method) and the fix. The behaviour itself is tested on PostgreSQL ({@code TableProjectionTest}).
 */
class TableProjectionRulesTest {

    /** An event. */
    @Event(name = "RulesNoted")
    public record Noted(String text) {
    }

    /** A table projection. */
    @Projection("rules_table")
    public static class Table {
        @EventHandler
        void on(Noted e, Connection c) {
            // writes a table in a real application
        }

        /** @return nothing in memory */
        @QueryState
        public String state() {
            return "";
        }
    }

    private static Rewind.Builder builder(ProjectionSettings settings) {
        return Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage()).eventTypes(Noted.class)
                .projection(Table.class).projectionSettings("rules_table", settings);
    }

    @Test
    void a_synchronous_table_projection_is_refused_with_the_fix() {
        assertThatThrownBy(() -> builder(ProjectionSettings.sync()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("projection 'rules_table'")
                .hasMessageContaining("takes a java.sql.Connection")
                .hasMessageContaining("must be asynchronous, not SYNC")
                .hasMessageContaining("ProjectionSettings.async()");
    }

    @Test
    void a_table_projection_on_a_store_without_transactions_is_refused_naming_the_store() {
        assertThatThrownBy(() -> builder(ProjectionSettings.async()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("projection 'rules_table'")
                .hasMessageContaining("TransactionalProjectionStore")
                .hasMessageContaining("use the PostgreSQL storage");
    }

    /** A table projection whose DDL method takes the wrong parameters. */
    @Projection("rules_bad_ddl")
    public static class BadDdl extends Table {
        @CreateTables
        static void tables(Connection c, String schema) {
            // a schema parameter: Rewind sets the search path instead
        }
    }

    /** A projection in memory that declares DDL. */
    @Projection("rules_memory_ddl")
    public static class MemoryDdl {
        @EventHandler
        void on(Noted e) {
            // in memory
        }

        @CreateTables
        static void tables(Connection c) {
            // nothing to create
        }

        /** @return nothing */
        @QueryState
        public String state() {
            return "";
        }
    }

    @Test
    void a_create_tables_method_must_take_one_connection_and_belong_to_a_table_projection() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage())
                .eventTypes(Noted.class).projection(BadDdl.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@CreateTables method")
                .hasMessageContaining("tables(java.sql.Connection,java.lang.String)")
                .hasMessageContaining("must take exactly one java.sql.Connection and return void");
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage())
                .eventTypes(Noted.class).projection(MemoryDdl.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("whose handlers take no java.sql.Connection")
                .hasMessageContaining("remove @CreateTables");
    }
}
