package dev.rewind.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import dev.rewind.spi.storage.StorageMeter;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Where the storage's connections come from. Built from a URL, it is a HikariCP pool that Rewind makes
 * with the store's schema as every connection's search path, and closes; the LISTEN connection is
 * opened beside it, unpooled. Built from the application's {@link DataSource}, it borrows a connection
 * per call, leaves the connection as it found it (auto-commit, no LISTEN), and never closes the
 * DataSource; the SQL names the schema itself, and an append sets the search path for its own transaction.
 */
final class Pool implements AutoCloseable {
    private final PostgresSettings settings;
    private final DataSource dataSource;
    /** Names what blocks a call that waits too long; set once the storage is built. */
    private volatile StallWatch watch;

    /** A unit of work on a borrowed connection. */
    @FunctionalInterface
    interface SqlCall<T> {
        T run(Connection c) throws SQLException;
    }

    private Pool(PostgresSettings settings, DataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
    }

    /**
     * @param settings where connections come from
     * @return the pool: a new HikariCP pool for a URL, the given DataSource otherwise
     * @throws StorageUnavailableException when a new pool cannot connect
     */
    static Pool open(PostgresSettings settings) {
        if (!settings.ownsPool()) {
            return new Pool(settings, settings.dataSource());
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("rewind-postgres-" + settings.schema());
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setSchema(settings.schema());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            return new Pool(settings, new HikariDataSource(config));
        } catch (HikariPool.PoolInitializationException e) {
            throw new StorageUnavailableException("cannot connect to PostgreSQL at " + settings.jdbcUrl() + " as user '"
                    + settings.user() + "': " + e.getMessage(), e);
        }
    }

    /**
     * @return the figures of the pool Rewind made ({@code rewind.postgres.pool.*}); none for the
     *     application's DataSource, which its own pool's metrics cover
     */
    List<StorageMeter> meters() {
        if (!(dataSource instanceof HikariDataSource hikari)) {
            return List.of();
        }
        // the MX bean is there while the pool runs; closed, the pool has no figures (a scrape must not fail)
        return List.of(
                StorageMeter.gauge("rewind.postgres.pool.active", "connections", "connections of Rewind's pool in use",
                        () -> poolFigure(hikari, HikariPoolMXBean::getActiveConnections)),
                StorageMeter.gauge("rewind.postgres.pool.idle", "connections", "idle connections of Rewind's pool",
                        () -> poolFigure(hikari, HikariPoolMXBean::getIdleConnections)),
                StorageMeter.gauge("rewind.postgres.pool.pending", "threads",
                        "threads waiting for a connection of Rewind's pool",
                        () -> poolFigure(hikari, HikariPoolMXBean::getThreadsAwaitingConnection)),
                StorageMeter.gauge("rewind.postgres.pool.max", "connections", "the size limit of Rewind's pool",
                        hikari::getMaximumPoolSize));
    }

    private static double poolFigure(HikariDataSource hikari, java.util.function.ToIntFunction<HikariPoolMXBean> figure) {
        HikariPoolMXBean bean = hikari.isClosed() ? null : hikari.getHikariPoolMXBean();
        return bean == null ? Double.NaN : figure.applyAsInt(bean);
    }

    /** @param watch the watch every call registers with from now on */
    void watch(StallWatch watch) {
        this.watch = watch;
    }

    /**
     * Runs {@code call} on a connection in auto-commit mode, and gives the connection back with the
     * auto-commit mode it came with (a call may leave it changed, as the append's transaction does).
     *
     * @param what what the call does, for the message naming whoever blocks it ({@link StallWatch})
     * @param call the work
     * @return what it returned
     * @throws SQLException when the work or the connection fails
     */
    <T> T call(String what, SqlCall<T> call) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (!autoCommit) {
                c.setAutoCommit(true);
            }
            T result;
            StallWatch w = watch;
            long id = w == null ? 0 : w.begin(c, what);
            try {
                result = call.run(c);
            } catch (SQLException | RuntimeException e) {
                try {
                    restore(c, autoCommit);
                } catch (SQLException broken) {
                    e.addSuppressed(broken); // the call's failure is the one to report (a broken connection, often)
                }
                throw e;
            } finally {
                if (w != null) {
                    w.end(id);
                }
            }
            restore(c, autoCommit);
            return result;
        }
    }

    private static void restore(Connection c, boolean autoCommit) throws SQLException {
        if (!c.isClosed() && c.getAutoCommit() != autoCommit) {
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * @return a connection to LISTEN on (or to ask who blocks a call), held until {@link #releaseListening}:
     *     a new unpooled one beside a pool Rewind made (so it takes none of the pool's connections, which
     *     may all be waiting), else one of the DataSource's
     * @throws SQLException when none can be had
     */
    Connection openListening() throws SQLException {
        if (settings.ownsPool()) {
            Properties props = new Properties();
            props.setProperty("user", settings.user());
            props.setProperty("password", settings.password());
            return DriverManager.getConnection(settings.jdbcUrl(), props);
        }
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true); // LISTEN takes effect, and notifications arrive, between transactions only
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Closes a connection from {@link #openListening}; one going back to the application's pool stops
     * listening first, so its next user is not sent the store's notifications.
     *
     * @param c the connection
     * @throws SQLException when it cannot be closed
     */
    void releaseListening(Connection c) throws SQLException {
        try (c) {
            if (!settings.ownsPool() && !c.isClosed()) {
                try (Statement st = c.createStatement()) {
                    st.execute("UNLISTEN " + PostgresSettings.quote(settings.channel()));
                }
                // Notifications that arrived before the UNLISTEN wait in the driver for the connection's next
                // user: a storage opened on the same schema would take them for appends of its own store
                // (a reset schema's old head) and skip events below it.
                discardNotifications(c);
            }
        }
    }

    /**
     * Drops the notifications the driver holds for a connection, unread.
     *
     * @param c a connection of the PostgreSQL driver
     * @throws SQLException when it is not one
     */
    static void discardNotifications(Connection c) throws SQLException {
        c.unwrap(PGConnection.class).getNotifications();
    }

    /** Closes a pool Rewind made; a borrowed DataSource belongs to the application and stays open. */
    @Override
    public void close() {
        if (settings.ownsPool()) {
            ((HikariDataSource) dataSource).close();
        }
    }
}
