package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates the store's schema at start-up from the versioned SQL files in
 * {@code dev/rewind/storage/postgres/schema/} ({@code V<n>__<what>.sql}), recording each applied
 * version in {@code rewind_schema_version}.
 *
 * <p>All of it runs in one transaction under an advisory lock, so several instances starting at
 * once migrate exactly once, and a failed migration leaves the schema as it was. A database whose
 * schema version is newer than this code knows is refused rather than written to.
 *
 * <p>Flyway would do the same with more moving parts; one table and a list of files is all this
 * module needs (see docs/adr/0008-postgres-storage.md).
 */
final class SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    /** The migrations, in order: version i+1 is {@code MIGRATIONS.get(i)}. Add new files at the end. */
    static final List<String> MIGRATIONS = List.of("V1__events.sql", "V2__append_function.sql",
            "V3__append_custom_plans.sql", "V4__append_groups.sql", "V5__projections.sql",
            "V6__leases.sql", "V7__instances.sql");

    private SchemaMigrator() {
    }

    /** @return the schema version this code writes */
    static int currentVersion() {
        return MIGRATIONS.size();
    }

    /**
     * Brings {@code schema} up to {@link #currentVersion()}.
     *
     * @param connection a connection (auto-commit is restored afterwards)
     * @param schema the schema name
     * @param lockKey the store's advisory lock key
     * @throws SQLException on a database error
     */
    static void migrate(Connection connection, String schema, long lockKey) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, lockKey);
                lock.execute();
            }
            st.execute("CREATE SCHEMA IF NOT EXISTS " + PostgresSettings.quote(schema));
            st.execute("SET LOCAL search_path TO " + PostgresSettings.quote(schema));
            st.execute("CREATE TABLE IF NOT EXISTS rewind_schema_version ("
                    + "version INT PRIMARY KEY, script TEXT NOT NULL, "
                    + "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            int found = appliedVersion(st);
            if (found > currentVersion()) {
                throw new EventStoreException("the PostgreSQL schema '" + schema + "' is at version " + found
                        + ", newer than this Rewind version knows (" + currentVersion()
                        + "): upgrade Rewind before using this store");
            }
            for (int v = found + 1; v <= currentVersion(); v++) {
                apply(connection, st, v);
            }
            connection.commit();
            if (found < currentVersion()) {
                LOG.info("PostgreSQL schema '{}' migrated from version {} to {}", schema, found, currentVersion());
            }
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Checks, without writing anything, that {@code schema} holds a store this code can read: what a
     * storage opened read-only does instead of {@link #migrate}.
     *
     * @param connection a connection
     * @param schema the schema name
     * @return the schema's version (an older one is read as it is: a read-only storage migrates nothing)
     * @throws EventStoreException when the schema holds no store, or one newer than this code knows
     * @throws SQLException on a database error
     */
    static int check(Connection connection, String schema) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, PostgresSettings.quote(schema) + ".rewind_schema_version");
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new EventStoreException("the PostgreSQL schema '" + schema + "' holds no Rewind store:"
                            + " a storage opened read-only creates none");
                }
            }
        }
        int found;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM "
                     + PostgresSettings.quote(schema) + ".rewind_schema_version")) {
            rs.next();
            found = rs.getInt(1);
        }
        if (found > currentVersion()) {
            throw new EventStoreException("the PostgreSQL schema '" + schema + "' is at version " + found
                    + ", newer than this Rewind version knows (" + currentVersion()
                    + "): upgrade Rewind before using this store");
        }
        return found;
    }

    /**
     * @param connection a connection
     * @return the server's version as a number ({@code server_version_num}: 150018 for 15.18)
     * @throws SQLException on a database error
     */
    static int serverVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int appliedVersion(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM rewind_schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void apply(Connection connection, Statement st, int version) throws SQLException {
        String script = MIGRATIONS.get(version - 1);
        st.execute(load(script));
        try (PreparedStatement done = connection.prepareStatement(
                "INSERT INTO rewind_schema_version (version, script) VALUES (?, ?)")) {
            done.setInt(1, version);
            done.setString(2, script);
            done.executeUpdate();
        }
    }

    private static String load(String script) {
        String path = "schema/" + script;
        try (InputStream in = SchemaMigrator.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is missing from the class path (next to "
                        + SchemaMigrator.class.getName() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + path, e);
        }
    }
}
