package dev.rewind.example.orders.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * The demo on PostgreSQL prints exactly what it prints on files. The server comes from
 * {@code REWIND_PG_URL}, {@code REWIND_PG_USER}, {@code REWIND_PG_PASSWORD} (defaults: the local server
 * {@code .ci/start-postgres.sh} starts), and {@code REWIND_PG_SCHEMA_PREFIX} goes before its schema's name
 * (so that runs of several people on one database stay apart); without one the test is skipped, except under {@code CI=true},
 * where it fails.
 */
class DemoOnPostgresTest {
    static final String URL = env("REWIND_PG_URL", "jdbc:postgresql://localhost:5432/rewind_test");
    static final String USER = env("REWIND_PG_USER", "rewind");
    static final String PASSWORD = env("REWIND_PG_PASSWORD", "rewind");
    static final String SCHEMA = env("REWIND_PG_SCHEMA_PREFIX", "") + "example_orders_demo_test";

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** @return the URL of the store in {@code schema}, as {@code --store} takes it */
    static String storeUrl(String schema) {
        return URL + (URL.contains("?") ? "&" : "?") + "user=" + USER + "&password=" + PASSWORD + "&rewindSchema=" + schema;
    }

    @BeforeAll
    static void server() {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
            c.isValid(2);
        } catch (SQLException e) {
            String message = "no PostgreSQL server at " + URL + " (" + e.getMessage()
                    + "): run .ci/start-postgres.sh or set REWIND_PG_URL, REWIND_PG_USER, REWIND_PG_PASSWORD";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
    }

    private static Cli.Run demo(String... extra) {
        String[] base = {"demo", "--postgres", URL, "--pg-user", USER, "--pg-password", PASSWORD, "--pg-schema", SCHEMA};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Cli.run(args);
    }

    @Test
    void prints_the_same_document_as_on_files_plus_the_table_view_and_refuses_a_schema_that_is_not_empty() throws Exception {
        Cli.Run first = demo("--reset");
        assertThat(first.exitCode()).as(first.err()).isZero();
        ObjectNode doc = (ObjectNode) first.json();
        // the owned table projection wrote the same orders as the in-memory order_totals, read back with SQL
        assertThat(doc.remove("order_totals_table")).isEqualTo(doc.get("projections").get("order_totals"));
        assertThat(doc).isEqualTo(Json.MAPPER.readTree(DemoTest.EXPECTED));

        Cli.Run again = demo();
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("error: the store in schema " + SCHEMA + " at " + URL
                + " is not empty: give --reset to drop it, or name an empty or absent schema\n");

        Cli.Run reset = demo("--reset");
        assertThat(reset.exitCode()).isZero();
        assertThat(reset.out()).isEqualTo(first.out());
    }

    @Test
    void the_cli_reads_the_demo_store_on_postgres_by_url_and_refuses_file_only_commands() throws Exception {
        assertThat(demo("--reset").exitCode()).isZero();
        String store = storeUrl(SCHEMA);

        Cli.Run projections = Cli.run("projections", "--store", store);
        assertThat(projections.exitCode()).as(projections.err()).isZero();
        assertThat(projections.json().toString()).contains("order_totals", "revenue_by_currency");

        Cli.Run read = Cli.run("read", "--store", store);
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out().lines()).hasSize(8);

        Cli.Run stats = Cli.run("stats", "--store", store);
        assertThat(stats.exitCode()).isEqualTo(1);
        assertThat(stats.err()).startsWith("error: this command works on a file store: name it with --data DIR"
                + " (or --store file:DIR), not --store " + URL).contains("password=***").doesNotContain("password=" + PASSWORD + "&");
    }
}
