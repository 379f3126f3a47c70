package dev.rewind.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * An {@link EventStorage} on PostgreSQL: one store that several application instances share, with the
 * guarantees of the embedded stores (atomic batches, optimistic concurrency, unique event ids, a
 * gap-free global order that a tailing reader never skips) and live notification across instances.
 *
 * <pre>{@code
 * try (Rewind rewind = Rewind.builder()
 *         .storage(PostgresStorage.connect("jdbc:postgresql://db:5432/app", "app", "secret"))
 *         .eventTypes(OrderPlaced.class)
 *         .build()) { ... }
 * }</pre>
 *
 * <h2>Why positions are assigned under a lock held until commit</h2>
 * A sequence hands out numbers at insert time, but transactions commit in any order: a reader that
 * has read up to position 11 may later see position 10 commit, and skip it forever (the bug behind
 * Marten's daemon skipping events and Axon's gap-aware tracking tokens). Here every append first takes
 * a transaction-level advisory lock ({@code pg_advisory_xact_lock}) on the store, assigns positions
 * {@code max + 1 ...} and commits while still holding it; PostgreSQL releases transaction locks only
 * after the commit is visible to other sessions. So transactions that write events become visible
 * one after another in position order, the committed rows are always exactly positions
 * {@code 0 .. head - 1}, a rolled-back append leaves no gap, and "everything after p" is complete the
 * moment it is read. The same lock makes the expected-version, duplicate-id and exact-retry checks
 * exact, and clamps {@code recordedAt} to the last stored instant. An append is one call of a
 * server-side function in auto-commit mode (one round trip; the lock is held while the server inserts
 * and flushes, never across a client round trip). The price is that appends are
 * serialised (one commit after another, so PostgreSQL cannot group their flushes): see
 * docs/adr/0008-postgres-storage.md and BENCHMARKS.md. The unique indexes on (stream, version) and
 * event id stay as a second line of defence; a violation (SQLState 23505) is translated to the
 * store's conflict or duplicate exception.
 *
 * <h2>Schema</h2>
 * Created and migrated at start-up from versioned SQL files (see {@code SchemaMigrator}); tables live
 * in the schema given to the builder ({@code rewind} by default).
 *
 * <h2>Failures</h2>
 * A broken or refused connection becomes a {@link StorageUnavailableException} naming what was being
 * done; the pool replaces broken connections, so a later call succeeds once the server is back.
 */
public final class PostgresStorage implements EventStorage {
    /** The range of PostgreSQL's timestamptz (4713 BC to 294276 AD), with a margin. */
    private static final Instant EARLIEST = Instant.parse("-4700-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+294000-01-01T00:00:00Z");
    private final HikariDataSource pool;
    private final String schema;
    private final Appender appender;
    private final HeadWatcher watcher;
    /**
     * Test seam: when set, appends take the transaction path and run this after the batch is written
     * and before the commit; null outside tests.
     */
    volatile SqlStep beforeCommit;

    /** A step on a connection. */
    @FunctionalInterface
    interface SqlStep {
        void run(Connection c) throws SQLException;
    }

    private PostgresStorage(Builder b) {
        this.schema = b.schema;
        long lockKey = 0x5245_5749_0000_0000L ^ schema.hashCode(); // "REWI" + the schema
        String channel = "rewind_" + schema;
        HikariConfig config = new HikariConfig();
        config.setPoolName("rewind-postgres-" + schema);
        config.setJdbcUrl(b.jdbcUrl);
        config.setUsername(b.user);
        config.setPassword(b.password);
        config.setSchema(schema);
        config.setMaximumPoolSize(b.poolSize);
        config.setMinimumIdle(Math.min(2, b.poolSize));
        config.setConnectionTimeout(b.connectionTimeout.toMillis());
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            this.pool = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StorageUnavailableException("cannot connect to PostgreSQL at " + b.jdbcUrl + " as user '"
                    + b.user + "': " + e.getMessage(), e);
        }
        try (Connection c = pool.getConnection()) {
            SchemaMigrator.migrate(c, schema, lockKey);
        } catch (SQLException e) {
            pool.close();
            throw SqlErrors.translate(e, "creating or migrating schema '" + schema + "' at " + b.jdbcUrl);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.appender = new Appender(lockKey, channel);
        Properties props = new Properties();
        props.setProperty("user", b.user);
        props.setProperty("password", b.password);
        this.watcher = new HeadWatcher(() -> DriverManager.getConnection(b.jdbcUrl, props), channel,
                this::headPosition, b.pollInterval);
    }

    /**
     * Connects with the defaults (schema {@code rewind}, a pool of 10 connections, polling every
     * second besides LISTEN/NOTIFY), creating or migrating the schema.
     *
     * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:5432/app}
     * @param user the database user
     * @param password its password
     * @return the storage
     * @throws StorageUnavailableException when the server cannot be reached
     */
    public static PostgresStorage connect(String jdbcUrl, String user, String password) {
        return builder(jdbcUrl).user(user).password(password).build();
    }

    /**
     * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:5432/app}
     * @return a builder for the other settings
     */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /** @return the append transaction's steps (tests run them on their own connections) */
    Appender appender() {
        return appender;
    }

    /** @return the schema holding this store's tables */
    String schema() {
        return schema;
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<EventRecord> records, Clock clock) {
        Objects.requireNonNull(streamId, "streamId");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("append to '" + streamId + "' needs at least one record");
        }
        AppendOutcome outcome;
        try (Connection c = pool.getConnection()) {
            SqlStep hook = beforeCommit;
            outcome = hook == null ? appender.appendFast(c, streamId, expected, records, clock.instant()) : null;
            if (outcome == null) { // an id is already stored (or a test interrupts the commit): settle it here
                c.setAutoCommit(false);
                try {
                    outcome = appender.append(c, streamId, expected, records, clock);
                    if (hook != null) {
                        hook.run(c);
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            }
        } catch (SQLException e) {
            if (SqlErrors.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw uniqueViolation(streamId, expected, records, e);
            }
            throw SqlErrors.translateAppend(e, streamId, records.size());
        }
        if (!outcome.alreadyAppended()) {
            watcher.announce(outcome.records().get(outcome.records().size() - 1).globalPosition() + 1);
        }
        return outcome;
    }

    /** A unique index caught what the checks under the lock should have: say which rule was broken. */
    private EventStoreException uniqueViolation(String streamId, ExpectedVersion expected, List<EventRecord> records,
                                                SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("rewind_events_event_id_key")) {
            for (EventRecord r : records) {
                long at = positionOf(r.eventId());
                if (at >= 0) {
                    return new DuplicateEventIdException(r.eventId(), "already stored at global position "
                            + at + "; nothing of this batch was written");
                }
            }
            return new DuplicateEventIdException(records.get(0).eventId(),
                    "rejected by the unique index (" + message + "); nothing of this batch was written");
        }
        return new ConcurrencyConflictException(streamId, expected, streamVersion(streamId));
    }

    @Override
    public List<StoredRecord> readStream(String streamId, long fromVersion, int maxCount) {
        return query("SELECT " + Rows.COLUMNS + " FROM rewind_events WHERE stream_id = ? AND stream_version >= ?"
                + " ORDER BY stream_version LIMIT ?", "reading stream '" + streamId + "'", streamId, fromVersion,
                (long) Math.max(0, maxCount));
    }

    @Override
    public long streamVersion(String streamId) {
        try (Connection c = pool.getConnection()) {
            return Appender.streamVersion(c, streamId);
        } catch (SQLException e) {
            throw SqlErrors.translate(e, "reading the version of stream '" + streamId + "'");
        }
    }

    @Override
    public List<StoredRecord> readAll(long fromPosition, int maxCount) {
        return query("SELECT " + Rows.COLUMNS + " FROM rewind_events WHERE global_position >= ?"
                + " ORDER BY global_position LIMIT ?", "reading from global position " + fromPosition,
                fromPosition, (long) Math.max(0, maxCount));
    }

    @Override
    public List<StoredRecord> readByType(String type, long fromPosition, int maxCount) {
        return query("SELECT " + Rows.COLUMNS + " FROM rewind_events WHERE type = ? AND global_position >= ?"
                + " ORDER BY global_position LIMIT ?", "reading events of type '" + type + "'", type,
                fromPosition, (long) Math.max(0, maxCount));
    }

    @Override
    public long positionOf(UUID eventId) {
        return queryLong("SELECT coalesce((SELECT global_position FROM rewind_events WHERE event_id = ?), -1)",
                "looking up event id " + eventId, eventId);
    }

    @Override
    public long headPosition() {
        return queryLong("SELECT coalesce(max(global_position) + 1, 0) FROM rewind_events",
                "reading the head position");
    }

    @Override
    public long positionAfter(Instant instant) {
        return firstPositionAt(instant, ">");
    }

    @Override
    public long positionAtOrAfter(Instant instant) {
        return firstPositionAt(instant, ">=");
    }

    /** recordedAt never decreases along the global order, so the first match by time is the first by position. */
    private long firstPositionAt(Instant instant, String op) {
        if (instant.isBefore(EARLIEST)) {
            return 0; // before anything PostgreSQL can store
        }
        if (instant.isAfter(LATEST)) {
            return headPosition();
        }
        Object[] key = Rows.timeKey(instant);
        return queryLong("SELECT coalesce((SELECT global_position FROM rewind_events"
                + " WHERE (recorded_at, recorded_at_nanos) " + op + " (?, ?)"
                + " ORDER BY recorded_at, recorded_at_nanos, global_position LIMIT 1),"
                + " (SELECT coalesce(max(global_position) + 1, 0) FROM rewind_events))",
                "searching the position of instant " + instant, key[0], key[1]);
    }

    @Override
    public void onAppended(LongConsumer onNewHead) {
        watcher.add(Objects.requireNonNull(onNewHead, "onNewHead"));
    }

    @Override
    public void close() {
        watcher.close();
        pool.close();
    }

    private List<StoredRecord> query(String sql, String doing, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                return List.copyOf(Rows.readAll(rs));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private long queryLong(String sql, String doing, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private static void bind(PreparedStatement q, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            q.setObject(i + 1, args[i]);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the server rolls the transaction back itself
        }
    }

    /** @return {@code name} as a quoted SQL identifier */
    static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** Settings of a {@link PostgresStorage}; only the JDBC URL is required. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user = "";
        private String password = "";
        private String schema = "rewind";
        private int poolSize = 10;
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder(String jdbcUrl) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("not a PostgreSQL JDBC URL: '" + jdbcUrl
                        + "' (expected jdbc:postgresql://host:port/database)");
            }
        }

        /**
         * @param user the database user
         * @return this
         */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /**
         * @param password the user's password
         * @return this
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * @param schema the schema that holds the store's tables (created when missing); default {@code rewind}
         * @return this
         */
        public Builder schema(String schema) {
            if (schema == null || !schema.matches("[a-z_][a-z0-9_]{0,40}")) {
                throw new IllegalArgumentException("schema name must be lower-case letters, digits and _"
                        + " (at most 41 characters, not starting with a digit), was '" + schema + "'");
            }
            this.schema = schema;
            return this;
        }

        /**
         * @param poolSize the most connections this instance opens (default 10), plus one for LISTEN
         * @return this
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("pool size must be at least 1, was " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /**
         * @param timeout how long a call waits for a connection before failing with
         *     {@link StorageUnavailableException} (default 10 s)
         * @return this
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param interval how often the head is polled besides LISTEN/NOTIFY: the longest a lost
         *     notification delays live delivery (default 1 s)
         * @return this
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Connects, creating or migrating the schema.
         *
         * @return the storage
         * @throws StorageUnavailableException when the server cannot be reached
         */
        public PostgresStorage build() {
            return new PostgresStorage(this);
        }
    }
}
