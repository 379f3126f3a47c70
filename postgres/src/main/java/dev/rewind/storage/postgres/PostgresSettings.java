package dev.rewind.storage.postgres;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What a {@link PostgresStorage} is built from: where its connections come from (a JDBC URL, for a pool
 * Rewind makes and closes, or the application's own {@link DataSource}, which Rewind only borrows
 * from), the schema holding its tables, and how often it polls for appends made elsewhere.
 *
 * @param jdbcUrl the server's JDBC URL (null when {@code dataSource} is given)
 * @param user the database user (URL only)
 * @param password its password (URL only)
 * @param dataSource the application's pool (null when a URL is given)
 * @param schema the schema holding the store's tables
 * @param poolSize the connections of the pool Rewind makes (URL only)
 * @param connectionTimeout how long a call waits for one of them (URL only)
 * @param pollInterval how often the next position is polled besides LISTEN/NOTIFY
 * @param stallWarning how long a call may wait for a lock held by another session before a WARN names it
 * @param readOnly whether the storage only reads: it neither creates nor migrates the schema, and refuses
 *     appends and projection store writes
 */
record PostgresSettings(String jdbcUrl, String user, String password, DataSource dataSource, String schema,
                        int poolSize, Duration connectionTimeout, Duration pollInterval, Duration stallWarning,
                        boolean readOnly) {
    /** The schema when none is given. */
    static final String DEFAULT_SCHEMA = "rewind";

    PostgresSettings {
        if ((jdbcUrl == null) == (dataSource == null)) {
            throw new IllegalArgumentException("a PostgreSQL storage needs either a JDBC URL or a DataSource");
        }
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(stallWarning, "stallWarning");
    }

    /** @return whether Rewind makes the pool (from the URL) and so closes it */
    boolean ownsPool() {
        return dataSource == null;
    }

    /** @return the key of the store's advisory lock: "REWI" and the schema, so stores in other schemas do not wait */
    long lockKey() {
        return 0x5245_5749_0000_0000L ^ schema.hashCode();
    }

    /** @return the channel appends notify on */
    String channel() {
        return "rewind_" + schema;
    }

    /** @return {@code table} qualified with the schema, as SQL */
    String qualified(String table) {
        return quote(schema) + "." + table;
    }

    /** @return the server and user, or the DataSource, for messages: "at URL" or "through the given DataSource" */
    String where() {
        return dataSource == null ? "at " + jdbcUrl
                : "through the given DataSource (" + dataSource.getClass().getName() + ")";
    }

    /**
     * @param jdbcUrl a URL
     * @return it, when it is a PostgreSQL JDBC URL
     * @throws IllegalArgumentException naming it otherwise
     */
    static String checkUrl(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: '" + jdbcUrl
                    + "' (expected jdbc:postgresql://host:port/database)");
        }
        return jdbcUrl;
    }

    /**
     * @param schema a schema name
     * @return it, when it is one the storage accepts (it is put into SQL, quoted, and into a channel name)
     * @throws IllegalArgumentException naming it otherwise
     */
    static String checkSchema(String schema) {
        if (schema == null || !schema.matches("[a-z_][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("schema name must be lower-case letters, digits and _"
                    + " (at most 41 characters, not starting with a digit), was '" + schema + "'");
        }
        return schema;
    }

    /** @return {@code name} as a quoted SQL identifier */
    static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
