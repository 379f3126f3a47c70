package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.storage.MeteredStorage;
import dev.rewind.spi.storage.StorageMeter;
import dev.rewind.spi.storage.AppendNotifications;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.ProjectionStoreHost;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.TypeIndex;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

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
 * or over the application's own pool, which Rewind borrows from and never closes:
 * {@code PostgresStorage.builder(dataSource).schema("rewind").build()}.
 *
 * <h2>Why positions are assigned under a lock held until commit</h2>
 * A sequence hands out numbers at insert time, but transactions commit in any order: a reader that
 * has read up to position 11 may later see position 10 commit, and skip it forever (the bug behind
 * Marten's daemon skipping events and Axon's gap-aware tracking tokens). Here every append transaction
 * first takes a transaction-level advisory lock ({@code pg_advisory_xact_lock}) on the store, assigns
 * positions {@code max + 1 ...} and commits while still holding it; PostgreSQL releases transaction
 * locks only after the commit is visible to other sessions. So transactions that write events become
 * visible one after another in position order, the committed rows are always exactly positions
 * {@code 0 .. next - 1}, a rolled-back append leaves no gap, and "everything after p" is complete the
 * moment it is read: no reader waits for a gap, and no other transaction in the database can hold a
 * reader up. The same lock makes the expected-version, duplicate-id and exact-retry checks exact, and
 * clamps {@code recordedAt} to the last stored instant. The unique indexes on (stream, version) and
 * event id stay as a second line of defence; a violation (SQLState 23505) is translated to the
 * store's conflict or duplicate exception.
 *
 * <h2>Why appends go in groups</h2>
 * One lock means one commit, and one WAL flush, at a time. So the threads of an instance that append
 * at the same time do not take turns: their batches are gathered and sent in one call of a server-side
 * function, in auto-commit mode, which checks each batch on its own and commits them together (one
 * round trip, one flush for all of them; the lock is never held across a client round trip). Instances
 * still take turns, each with its own group. Why this design and not positions from a sequence read
 * below the oldest open transaction, with the measurements: docs/adr/0010-postgres-appends.md.
 *
 * <h2>The parts</h2>
 * {@link PostgresSettings} (what it is built from), {@link Pool} (where connections come from),
 * {@link SchemaMigrator} (the schema, at start-up), {@link Appender} (groups, and the append
 * transaction), {@link Queries} (every read), {@link HeadWatcher} (appends made elsewhere) and
 * {@link StallWatch} (who holds the storage up); this class puts them together behind the port.
 *
 * <h2>Schema</h2>
 * Created and migrated at start-up from versioned SQL files (see {@code SchemaMigrator}); tables live
 * in the schema given to the builder ({@code rewind} by default).
 *
 * <h2>Projections</h2>
 * The storage hosts the projection runtime's checkpoints, snapshots and past states in tables of the same
 * schema ({@link #projectionStore()}), so every instance sharing the store resumes from the checkpoints
 * the others saved (docs/adr/0014-postgres-projection-store.md).
 *
 * <h2>Read-only</h2>
 * Built with {@code readOnly()}, the storage neither creates nor migrates the schema (it must hold a
 * store already), refuses appends, and its projection store refuses every write: for tools that inspect
 * a store they must not change.
 *
 * <h2>Failures</h2>
 * A broken or refused connection becomes a {@link StorageUnavailableException} naming what was being
 * done; the pool replaces broken connections, so a later call succeeds once the server is back. For
 * an append, {@link StorageUnavailableException#mayHaveBeenWritten()} and the message say whether the
 * batch may have been committed (the connection broke after it was sent: retry with the same event
 * ids) or was not written. A call held up by another session's lock for longer than the stall warning
 * is logged at WARN with that session's backend pid.
 */
public final class PostgresStorage implements EventStorage, AppendNotifications, TypeIndex, MeteredStorage,
        ProjectionStoreHost {
    private final PostgresSettings settings;
    private final Pool pool;
    private final Appender appender;
    private final Queries queries;
    private final HeadWatcher watcher;
    private final StallWatch stalls;
    private final PostgresProjectionStore projections;
    /**
     * Test seam: when set, appends take the transaction path and run this after the batch is written
     * and before the commit; null outside tests.
     */
    volatile Appender.SqlStep beforeCommit;

    private PostgresStorage(PostgresSettings settings) {
        this.settings = settings;
        this.pool = Pool.open(settings);
        int serverVersion;
        try {
            serverVersion = pool.call("creating or migrating schema '" + settings.schema() + "'", c -> {
                if (settings.readOnly()) {
                    SchemaMigrator.check(c, settings.schema());
                } else {
                    SchemaMigrator.migrate(c, settings.schema(), settings.lockKey());
                }
                return SchemaMigrator.serverVersion(c);
            });
        } catch (SQLException e) {
            pool.close();
            throw SqlErrors.translate(e, "creating or migrating schema '" + settings.schema() + "' "
                    + settings.where());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.queries = new Queries(pool, settings);
        this.projections = new PostgresProjectionStore(pool, settings, settings.readOnly());
        this.appender = new Appender(settings, pool, queries, settings.ownsPool(), serverVersion >= 140_000);
        HeadWatcher.ConnectionSource aside = new HeadWatcher.ConnectionSource() {
            @Override
            public Connection open() throws SQLException {
                return pool.openListening();
            }

            @Override
            public void release(Connection c) throws SQLException {
                pool.releaseListening(c);
            }
        };
        this.stalls = new StallWatch(settings.schema(), settings.stallWarning(), aside);
        pool.watch(stalls);
        this.watcher = new HeadWatcher(aside, settings.channel(), queries::nextPosition, settings.pollInterval());
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
     * @return a builder for the other settings; the storage makes its own connection pool and closes it
     */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /**
     * A storage over the application's own connection pool (HikariCP or any other {@link DataSource}
     * to PostgreSQL). The storage borrows a connection per call and gives it back as it found it; it
     * holds one more for as long as it is open, to {@code LISTEN} for appends made elsewhere (so size
     * the pool for it). Closing the storage, or the Rewind over it, leaves the DataSource open: it is
     * the application's to close.
     *
     * @param dataSource the application's connections to PostgreSQL
     * @return a builder for the schema and the poll interval
     */
    public static DataSourceBuilder builder(DataSource dataSource) {
        return new DataSourceBuilder(dataSource);
    }

    /** @return the append transaction's steps (tests run them on their own connections) */
    Appender appender() {
        return appender;
    }

    /** @return the key of the store's advisory lock (tests hold it to make appends wait) */
    long lockKey() {
        return settings.lockKey();
    }

    /** @return the schema holding this store's tables */
    String schema() {
        return settings.schema();
    }

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock) {
        Objects.requireNonNull(streamId, "streamId");
        if (settings.readOnly()) {
            throw new EventStoreException("the PostgreSQL storage of schema '" + settings.schema() + "' "
                    + settings.where() + " is open read-only: appends are refused");
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("append to '" + streamId + "' needs at least one event");
        }
        // Callbacks hear of this append from its notification, on the listening thread: telling them here
        // would make the caller's own delivery read back from the table the events it holds already.
        return appender.append(streamId, expected, events, clock, beforeCommit);
    }

    @Override
    public List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount,
                                                  ReadDirection direction) {
        return queries.readStream(streamId, fromVersion, maxCount, direction);
    }

    @Override
    public long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
        return queries.read(fromPosition, toPosition, visitor);
    }

    @Override
    public List<StoredSerializedEvent> readByType(String type, long fromPosition, int maxCount) {
        return queries.readByType(type, fromPosition, maxCount);
    }

    @Override
    public long lastVersion(String streamId) {
        return queries.lastVersion(streamId);
    }

    @Override
    public long positionOf(UUID eventId) {
        return queries.positionOf(eventId);
    }

    @Override
    public long nextPosition() {
        return queries.nextPosition();
    }

    @Override
    public long firstPositionAtOrAfter(Instant instant) {
        return queries.firstPositionAtOrAfter(instant);
    }

    /**
     * @return the checkpoints and past states of the projection runtime, in this storage's schema (the same
     *     instance on every call); read-only when the storage is
     */
    @Override
    public ProjectionStore projectionStore() {
        return projections;
    }

    @Override
    public void onAppended(LongConsumer onNextPosition) {
        watcher.add(Objects.requireNonNull(onNextPosition, "onNextPosition"));
    }

    /**
     * The figures a metrics binding reads: appends per group commit, the LISTEN/NOTIFY channel's
     * notifications, polls and reconnects, and, for the pool Rewind made from a URL, its connections.
     *
     * @return {@code rewind.postgres.*} meters
     */
    @Override
    public List<StorageMeter> meters() {
        List<StorageMeter> meters = new ArrayList<>(pool.meters());
        meters.add(StorageMeter.gauge("rewind.postgres.group.size", "appends",
                "appends committed per transaction (group commit), the mean since the storage was opened",
                appender::batchesPerGroup));
        meters.add(StorageMeter.counter("rewind.postgres.notifications", "notifications",
                "append notifications received on the LISTEN channel", watcher::notifications));
        meters.add(StorageMeter.counter("rewind.postgres.polls", "polls",
                "reads of the head made because no notification came in time", watcher::polls));
        meters.add(StorageMeter.counter("rewind.postgres.listener.reconnects", "reconnects",
                "times the LISTEN connection was lost and reopened", watcher::reconnects));
        return List.copyOf(meters);
    }

    /** Stops listening and closes the pool the storage made (a borrowed DataSource stays open). */
    @Override
    public void close() {
        watcher.close();
        stalls.close();
        pool.close();
    }

    /** How long a call may wait for another session's lock before a WARN names that session. */
    private static final Duration DEFAULT_STALL_WARNING = Duration.ofSeconds(5);

    private static Duration checkPositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    /** Settings of a {@link PostgresStorage} that makes its own pool; only the JDBC URL is required. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user = "";
        private String password = "";
        private String schema = PostgresSettings.DEFAULT_SCHEMA;
        private int poolSize = 10;
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration stallWarning = DEFAULT_STALL_WARNING;
        private boolean readOnly;

        private Builder(String jdbcUrl) {
            this.jdbcUrl = PostgresSettings.checkUrl(jdbcUrl);
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
            this.schema = PostgresSettings.checkSchema(schema);
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
         * @param interval how often the next position is polled besides LISTEN/NOTIFY: the longest a
         *     lost notification delays live delivery (default 1 s)
         * @return this
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * @param after how long a call may wait for a lock held by another session (a stuck transaction
         *     holding the store's append lock, DDL on its table) before a WARN names that session's
         *     backend pid, state and query (default 5 s)
         * @return this
         */
        public Builder stallWarning(Duration after) {
            this.stallWarning = checkPositive(after, "stall warning");
            return this;
        }

        /**
         * Opens the storage read-only: the schema must hold a store already and is neither created nor
         * migrated; appends and projection store writes are refused.
         *
         * @return this
         */
        public Builder readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Connects, creating or migrating the schema (read-only: checking that it holds a store).
         *
         * @return the storage
         * @throws StorageUnavailableException when the server cannot be reached
         */
        public PostgresStorage build() {
            return new PostgresStorage(new PostgresSettings(jdbcUrl, user, password, null, schema, poolSize,
                    connectionTimeout, pollInterval, stallWarning, readOnly));
        }
    }

    /**
     * Settings of a {@link PostgresStorage} over the application's {@link DataSource}: its pool size,
     * timeouts and credentials are the DataSource's own.
     */
    public static final class DataSourceBuilder {
        private final DataSource dataSource;
        private String schema = PostgresSettings.DEFAULT_SCHEMA;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration stallWarning = DEFAULT_STALL_WARNING;
        private boolean readOnly;

        private DataSourceBuilder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * @param schema the schema that holds the store's tables (created when missing); default
         *     {@code rewind}. The storage names it in its SQL, whatever the connections' search path.
         * @return this
         */
        public DataSourceBuilder schema(String schema) {
            this.schema = PostgresSettings.checkSchema(schema);
            return this;
        }

        /**
         * @param interval how often the next position is polled besides LISTEN/NOTIFY (default 1 s)
         * @return this
         */
        public DataSourceBuilder pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * @param after how long a call may wait for a lock held by another session before a WARN names
         *     that session (default 5 s); see {@link Builder#stallWarning}
         * @return this
         */
        public DataSourceBuilder stallWarning(Duration after) {
            this.stallWarning = checkPositive(after, "stall warning");
            return this;
        }

        /**
         * Opens the storage read-only: see {@link Builder#readOnly()}.
         *
         * @return this
         */
        public DataSourceBuilder readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Creates or migrates the schema through the DataSource (read-only: checks that it holds a store).
         *
         * @return the storage
         * @throws StorageUnavailableException when no connection can be had
         */
        public PostgresStorage build() {
            return new PostgresStorage(new PostgresSettings(null, null, null, dataSource, schema, 0, null,
                    pollInterval, stallWarning, readOnly));
        }
    }
}
