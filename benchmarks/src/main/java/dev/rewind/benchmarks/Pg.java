package dev.rewind.benchmarks;

import dev.rewind.projection.ProjectionSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Where the PostgreSQL phases connect: {@code REWIND_PG_URL} (default
 * {@code jdbc:postgresql://localhost:5432/rewind_test}, the server of {@code .ci/start-postgres.sh}),
 * {@code REWIND_PG_USER} and {@code REWIND_PG_PASSWORD} (default {@code rewind}); every schema name is
 * put behind {@code REWIND_PG_SCHEMA_PREFIX} (default none), so that runs of several people on one
 * database stay apart.
 */
public final class Pg {
    /** The URL used when {@code REWIND_PG_URL} is not set. */
    public static final String DEFAULT_URL = "jdbc:postgresql://localhost:5432/rewind_test";

    private Pg() {
    }

    /**
     * @param name a phase's schema name
     * @return it behind {@code REWIND_PG_SCHEMA_PREFIX}
     */
    public static String schema(String name) {
        return env("REWIND_PG_SCHEMA_PREFIX", "") + name;
    }

    /** @return the JDBC URL */
    public static String url() {
        return env("REWIND_PG_URL", DEFAULT_URL);
    }

    /**
     * @param schema a schema
     * @return the JDBC URL with that schema as the connections' search path ({@code currentSchema})
     */
    public static String url(String schema) {
        String url = url();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * @param schema a schema
     * @return a new connection (auto-commit) whose search path is that schema: the caller closes it
     * @throws SQLException when the server cannot be reached
     */
    public static Connection connect(String schema) throws SQLException {
        return DriverManager.getConnection(url(schema), user(), password());
    }

    /**
     * @return the events per transaction of both sides' table catch-up (Rewind's batch, Axon's tracking
     *     processor batch): {@code -Dbench.pg.table.batch}, default Rewind's asynchronous batch size
     */
    public static int tableBatchSize() {
        return Integer.getInteger("bench.pg.table.batch", ProjectionSettings.async().batchSize());
    }

    /** @return the user */
    public static String user() {
        return env("REWIND_PG_USER", "rewind");
    }

    /** @return the password */
    public static String password() {
        return env("REWIND_PG_PASSWORD", "rewind");
    }

    /**
     * Drops a schema with everything in it, then creates it empty.
     *
     * @param schema the schema name (lower case)
     * @throws SQLException when the server refuses
     */
    public static void freshSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
