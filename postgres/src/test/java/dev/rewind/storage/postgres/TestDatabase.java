package dev.rewind.storage.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the tests use, from the environment:
 * <ul>
 *   <li>{@code REWIND_PG_URL} (default {@code jdbc:postgresql://localhost:5432/rewind_test}),</li>
 *   <li>{@code REWIND_PG_USER} and {@code REWIND_PG_PASSWORD} (default {@code rewind} / {@code rewind}),</li>
 *   <li>{@code REWIND_PG_SCHEMA_PREFIX} (default none): put before every schema a test uses, so that several
 *       people can run the tests on one database at once without emptying each other's schemas.</li>
 * </ul>
 * {@code .ci/start-postgres.sh} starts a local server with exactly these defaults. When no server
 * answers, the tests are skipped (aborted) with a message naming these variables, unless
 * {@code CI=true}, where a missing server fails them.
 */
final class TestDatabase {
    static final String URL = env("REWIND_PG_URL", "jdbc:postgresql://localhost:5432/rewind_test");
    static final String USER = env("REWIND_PG_USER", "rewind");
    static final String PASSWORD = env("REWIND_PG_PASSWORD", "rewind");
    static final String SCHEMA_PREFIX = env("REWIND_PG_SCHEMA_PREFIX", "");

    private TestDatabase() {
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * @param name a test's schema name
     * @return it behind {@code REWIND_PG_SCHEMA_PREFIX}
     */
    static String schema(String name) {
        return PostgresSettings.checkSchema(SCHEMA_PREFIX + name);
    }

    /** Skips the calling test class (fails it under CI=true) when no server answers. */
    static void requireServer() {
        try (Connection c = connect()) {
            c.isValid(2);
        } catch (SQLException e) {
            String message = "no PostgreSQL server at " + URL + " as user '" + USER + "' (" + e.getMessage()
                    + "): set REWIND_PG_URL, REWIND_PG_USER and REWIND_PG_PASSWORD to point the tests at one,"
                    + " or run .ci/start-postgres.sh to start a local one";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + " (CI=true: PostgreSQL tests must run)");
            }
            // Surefire does not list a class skipped in @BeforeAll, so say it where a developer looks.
            System.err.println("SKIPPED PostgreSQL tests: " + message);
            Assumptions.abort(message);
        }
    }

    /** @return a new, unpooled connection */
    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }

    /** Drops a schema and everything in it. */
    static void dropSchema(String schema) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + PostgresSettings.quote(schema) + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop schema " + schema + ": " + e.getMessage(), e);
        }
    }

    /** @return a builder on the test server with a short poll interval and connection timeout */
    static PostgresStorage.Builder builder(String schema) {
        return PostgresStorage.builder(URL).user(USER).password(PASSWORD).schema(schema).poolSize(4)
                .pollInterval(Duration.ofMillis(200)).connectionTimeout(Duration.ofSeconds(5));
    }

    /** @return a storage on a freshly emptied schema */
    static PostgresStorage fresh(String schema) {
        dropSchema(schema);
        return builder(schema).build();
    }
}
