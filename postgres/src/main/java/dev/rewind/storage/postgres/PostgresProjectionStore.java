package dev.rewind.storage.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.TransactionalProjectionStore;
import java.sql.Connection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The {@link ProjectionStore} of a {@link PostgresStorage}: checkpoints in {@code rewind_checkpoints}, one
 * row per runner, and past states in {@code rewind_projection_history}, one row per runner and position,
 * both in the store's schema (created by migration {@code V5__projections.sql}). Every instance sharing
 * the schema sees the checkpoints the others save.
 *
 * <p>A save is one upsert statement in auto-commit mode, so one transaction: a crash leaves the previous
 * row or the new one, whole. Each row carries a CRC32C of its other columns (see {@link #checksum}); a row
 * that fails it, or whose JSON does not read back, is reported as a {@link CorruptStoreException} naming
 * the table, the runner and the position, never returned.
 *
 * <p>It also keeps the owner leases of owned runners ({@link ProjectionLeases}, table {@code rewind_leases},
 * migration {@code V6__leases.sql}, docs/adr/0015-projection-ownership.md): each operation one statement,
 * expiry set and judged by the server's {@code clock_timestamp()} only. A fenced save checks the lease
 * row (owner, token, not expired) in the upsert's own statement and locks it {@code FOR SHARE}, so a
 * take-over either waits for the save to commit or makes it change nothing.
 *
 * <p>It runs table projections' batches ({@link TransactionalProjectionStore},
 * docs/adr/0016-table-projections.md): BEGIN, the handlers' writes on the transaction's connection, the
 * checkpoint upsert on the same connection (the fenced one when a lease is given), COMMIT; ROLLBACK when
 * anything fails.
 *
 * <p>It follows its storage's access: on a storage opened read-only every write is refused, and a schema
 * migrated before these tables existed reads as empty rather than failing (nothing is created).
 */
final class PostgresProjectionStore implements ProjectionStore, ProjectionLeases, TransactionalProjectionStore {
    static final String CHECKPOINTS = "rewind_checkpoints";
    static final String HISTORY = "rewind_projection_history";
    static final String LEASES = "rewind_leases";
    /** undefined_table: a read-only storage over a schema older than version 5. */
    private static final String UNDEFINED_TABLE = "42P01";
    /** The columns the checksum covers, in the order it covers them; the statements use the same order. */
    private static final String COLUMNS = "name, version, origin, position, event_id, applied, hash, high_water,"
            + " parked, skipped, decisions, snapshot, saved_at, saved_at_nanos, checksum";
    private static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::json, ?::json, ?, ?, ?, ?";
    private static final String UPDATES = "version = EXCLUDED.version, origin = EXCLUDED.origin,"
            + " position = EXCLUDED.position, event_id = EXCLUDED.event_id, applied = EXCLUDED.applied,"
            + " hash = EXCLUDED.hash, high_water = EXCLUDED.high_water, parked = EXCLUDED.parked,"
            + " skipped = EXCLUDED.skipped, decisions = EXCLUDED.decisions, snapshot = EXCLUDED.snapshot,"
            + " saved_at = EXCLUDED.saved_at, saved_at_nanos = EXCLUDED.saved_at_nanos, checksum = EXCLUDED.checksum";
    // The same settings as the file store's header, so both stores read and write these records alike.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final TypeReference<List<ParkedEvent>> PARKED = new TypeReference<>() {
    };
    private static final TypeReference<List<Long>> POSITIONS = new TypeReference<>() {
    };
    private static final TypeReference<List<Decision>> DECISIONS = new TypeReference<>() {
    };

    private final Pool pool;
    private final String schema;
    private final boolean readOnly;
    private final String checkpoints;
    private final String history;
    private final String save;
    private final String load;
    private final String saveHistory;
    private final String loadHistory;
    private final String listHistory;
    private final String deleteHistory;
    private final String delete;
    private final String leases;
    private final String fencedSave;
    private final String acquire;
    private final String renew;
    private final String release;
    private final String holder;

    PostgresProjectionStore(Pool pool, PostgresSettings settings, boolean readOnly) {
        this.pool = pool;
        this.schema = settings.schema();
        this.readOnly = readOnly;
        this.checkpoints = settings.qualified(CHECKPOINTS);
        this.history = settings.qualified(HISTORY);
        // fencing_token stays null: a later owner lease (issue 17, item 3) will set it here and add
        // "WHERE rewind_checkpoints.fencing_token <= EXCLUDED.fencing_token" to the DO UPDATE, so that the
        // upsert changes no row for a writer whose lease was taken over (see save's row count check).
        this.save = "INSERT INTO " + checkpoints + " (" + COLUMNS + ") VALUES (" + PLACEHOLDERS + ")"
                + " ON CONFLICT (name) DO UPDATE SET " + UPDATES;
        this.leases = settings.qualified(LEASES);
        // The lease row is checked and locked FOR SHARE in the save's own statement: a take-over's UPDATE of
        // that row waits until this save commits, or (committed first) leaves no row matching, so the save
        // inserts nothing. The guard on fencing_token is a second line: a newer owner's row is never
        // replaced by an older token's.
        this.fencedSave = "WITH lease AS (SELECT token FROM " + leases + " WHERE name = ? AND owner = ? AND token = ?"
                + " AND expires_at > clock_timestamp() FOR SHARE)"
                + " INSERT INTO " + checkpoints + " AS cp (" + COLUMNS + ", fencing_token) SELECT " + PLACEHOLDERS
                + ", lease.token FROM lease"
                + " ON CONFLICT (name) DO UPDATE SET " + UPDATES + ", fencing_token = EXCLUDED.fencing_token"
                + " WHERE cp.fencing_token IS NULL OR cp.fencing_token <= EXCLUDED.fencing_token";
        // Every grant increases the token, also to the owner it already had (a restarted instance with a
        // fixed id): a grant is a new tenure, and writes of the previous one must fail.
        this.acquire = "INSERT INTO " + leases + " AS l (name, owner, token, acquired_at, renewed_at, expires_at)"
                + " VALUES (?, ?, 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + make_interval(secs => ?))"
                + " ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, token = l.token + 1,"
                + " acquired_at = EXCLUDED.acquired_at, renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at"
                + " WHERE l.expires_at <= clock_timestamp() OR l.owner = EXCLUDED.owner RETURNING l.token";
        // an expired lease is never revived, even if no one took it: its holder must acquire again
        this.renew = "UPDATE " + leases + " SET renewed_at = clock_timestamp(),"
                + " expires_at = clock_timestamp() + make_interval(secs => ?)"
                + " WHERE name = ? AND owner = ? AND token = ? AND expires_at > clock_timestamp()";
        // expire rather than delete: the token must never go back
        this.release = "UPDATE " + leases + " SET expires_at = clock_timestamp()"
                + " WHERE name = ? AND owner = ? AND token = ? AND expires_at > clock_timestamp()";
        this.holder = "SELECT owner, token, expires_at > clock_timestamp(),"
                + " extract(epoch FROM expires_at - renewed_at) FROM " + leases + " WHERE name = ?";
        this.load = "SELECT " + COLUMNS + " FROM " + checkpoints + " WHERE name = ?";
        this.saveHistory = "INSERT INTO " + history + " (" + COLUMNS + ") VALUES (" + PLACEHOLDERS + ")"
                + " ON CONFLICT (name, position) DO UPDATE SET " + UPDATES;
        this.loadHistory = "SELECT " + COLUMNS + " FROM " + history + " WHERE name = ? AND position = ?";
        this.listHistory = "SELECT position, version, coalesce(octet_length(snapshot), 0) FROM " + history
                + " WHERE name = ? ORDER BY position";
        this.deleteHistory = "DELETE FROM " + history + " WHERE name = ? AND position = ?";
        // one statement, so one transaction: no checkpoint is left without its history or the other way round
        this.delete = "WITH past AS (DELETE FROM " + history + " WHERE name = ?) DELETE FROM " + checkpoints
                + " WHERE name = ?";
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public Optional<Checkpoint> load(String name) {
        Objects.requireNonNull(name, "name");
        return read(load, CHECKPOINTS, name, "loading the checkpoint of '" + name + "'", name);
    }

    @Override
    public void save(Checkpoint checkpoint) {
        write(save, checkpoint, "saving the checkpoint of '" + checkpoint.name() + "' at position " + checkpoint.position());
    }

    @Override
    public void save(Checkpoint checkpoint, Lease lease) {
        Objects.requireNonNull(lease, "lease");
        if (!lease.name().equals(checkpoint.name())) {
            throw new IllegalArgumentException("the checkpoint of '" + checkpoint.name() + "' cannot be saved under the"
                    + " lease of '" + lease.name() + "'");
        }
        String doing = "saving the checkpoint of '" + checkpoint.name() + "' at position " + checkpoint.position();
        int rows = write(fencedSave, checkpoint, doing, lease.name(), lease.owner(), lease.token());
        if (rows != 1) {
            throw lost(lease, doing);
        }
    }

    @Override
    public void saveHistory(Checkpoint pastState) {
        if (pastState.position() < 0) {
            throw new IllegalArgumentException("a past state is after an event: position must be 0 or more, was "
                    + pastState.position());
        }
        write(saveHistory, pastState, "saving the past state of '" + pastState.name() + "' at position "
                + pastState.position());
    }

    @Override
    public List<HistoryEntry> history(String name) {
        Objects.requireNonNull(name, "name");
        String doing = "listing the past states of '" + name + "'";
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(listHistory)) {
                    q.setString(1, name);
                    try (ResultSet rs = q.executeQuery()) {
                        List<HistoryEntry> out = new ArrayList<>();
                        while (rs.next()) {
                            out.add(new HistoryEntry(rs.getLong(1), rs.getString(2), rs.getLong(3)));
                        }
                        return out;
                    }
                }
            });
        } catch (SQLException e) {
            if (missingTables(e)) {
                return new ArrayList<>();
            }
            throw SqlErrors.translate(e, doing);
        }
    }

    @Override
    public Optional<Checkpoint> loadHistory(String name, long position) {
        Objects.requireNonNull(name, "name");
        return read(loadHistory, HISTORY, name, "loading the past state of '" + name + "' at position " + position,
                name, position);
    }

    @Override
    public void deleteHistory(String name, long position) {
        Objects.requireNonNull(name, "name");
        update(deleteHistory, "deleting the past state of '" + name + "' at position " + position, name, position);
    }

    @Override
    public void delete(String name) {
        Objects.requireNonNull(name, "name");
        update(delete, "deleting the checkpoint and past states of '" + name + "'", name, name);
    }

    // ---------------------------------------------------------------- statements

    private void refuseIfReadOnly(String doing) {
        if (readOnly) {
            throw new EventStoreException("the projection store in PostgreSQL schema '" + schema + "' belongs to a"
                    + " storage opened read-only: it changes nothing (refused " + doing + ")");
        }
    }

    private void write(String sql, Checkpoint c, String doing) {
        int rows = write(sql, c, doing, new Object[0]);
        if (rows != 1) {
            throw new EventStoreException("PostgreSQL storage did not save: " + doing + " changed " + rows + " rows");
        }
    }

    /**
     * Runs a checkpoint statement: {@code before} are bound first (the fenced save's lease condition), the
     * row's columns after them in {@link #COLUMNS} order.
     *
     * @return the rows changed
     */
    private int write(String sql, Checkpoint c, String doing, Object... before) {
        refuseIfReadOnly(doing);
        try {
            return pool.call(doing, conn -> bindAndRun(conn, sql, c, before));
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private int update(String sql, String doing, Object... args) {
        refuseIfReadOnly(doing);
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    for (int i = 0; i < args.length; i++) {
                        q.setObject(i + 1, args[i]);
                    }
                    return q.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }
    // ---------------------------------------------------------------- transactions of table projections

    @Override
    public Checkpoint inTransaction(String name, Lease lease, Work work) {
        Objects.requireNonNull(name, "name");
        return transaction(name, name, lease, null, work, null,
                "applying a batch of '" + name + "' with its checkpoint in one transaction");
    }

    @Override
    public Checkpoint inTransaction(String projection, TableSet tables, Lease lease, Work work) {
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(tables, "tables");
        boolean next = tables == TableSet.NEXT;
        return transaction(projection, next ? TransactionalProjectionStore.rebuildName(projection) : projection, lease,
                searchPath(projection, tables), work, null, "applying a batch of '" + projection + "'"
                        + (next ? " to its rebuild's tables in schema " + nextSchema(projection) : "")
                        + " with its checkpoint in one transaction");
    }

    @Override
    public Checkpoint switchTables(String projection, Lease lease, Work work) {
        Objects.requireNonNull(projection, "projection");
        String next = nextSchema(projection);
        return transaction(projection, projection, lease, searchPath(projection, TableSet.NEXT), work, conn -> {
            moveTables(conn, projection, next);
            deleteCheckpoint(conn, TransactionalProjectionStore.rebuildName(projection));
        }, "switching the tables of '" + projection + "' to its rebuild's (from schema " + next + " to " + schema + ")");
    }

    @Override
    public void createTables(String projection, TableSet tables, Ddl ddl) {
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(ddl, "ddl");
        boolean next = tables == TableSet.NEXT;
        String where = next ? nextSchema(projection) : schema;
        String doing = "creating the tables of '" + projection + "' in schema " + where
                + (next ? " (for its rebuild)" : "");
        inSerializedTransaction(projection, doing, conn -> {
            try (java.sql.Statement st = conn.createStatement()) {
                if (next) {
                    // what a crashed or failed rebuild left: the next one starts from an empty table set
                    st.execute("DROP SCHEMA IF EXISTS " + PostgresSettings.quote(where) + " CASCADE");
                    st.execute("CREATE SCHEMA " + PostgresSettings.quote(where));
                    deleteCheckpoint(conn, TransactionalProjectionStore.rebuildName(projection));
                }
            }
            setLocal(conn, null, searchPath(projection, tables));
            try {
                ddl.run(conn);
            } catch (SQLException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new TransactionWorkException(projection, e);
            }
        });
    }

    @Override
    public void dropNextTables(String projection) {
        Objects.requireNonNull(projection, "projection");
        String next = nextSchema(projection);
        inSerializedTransaction(projection, "dropping the rebuild's tables of '" + projection + "' (schema " + next + ")",
                conn -> {
                    try (java.sql.Statement st = conn.createStatement()) {
                        st.execute("DROP SCHEMA IF EXISTS " + PostgresSettings.quote(next) + " CASCADE");
                    }
                    deleteCheckpoint(conn, TransactionalProjectionStore.rebuildName(projection));
                });
    }

    /** A step inside a transaction. */
    @FunctionalInterface
    private interface SqlStep {
        void run(Connection conn) throws SQLException;
    }

    /**
     * The schema a projection's rebuild fills: {@code <store schema>_<projection>_next}, the projection's
     * name made an identifier; when that changes the name (or makes it too long for PostgreSQL's 63 bytes),
     * a hash of the name keeps two projections from sharing one.
     */
    String nextSchema(String projection) {
        String plain = projection.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String simple = schema + "_" + plain + "_next";
        if (plain.equals(projection) && simple.length() <= 63) {
            return simple;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(projection.getBytes(StandardCharsets.UTF_8));
        String hash = String.format("%08x", crc.getValue());
        int room = 63 - schema.length() - hash.length() - "__next".length() - 1;
        return schema + "_" + plain.substring(0, Math.max(0, Math.min(plain.length(), room))) + "_" + hash + "_next";
    }

    /** @return the search path of a transaction on a table set: the set's schema first, then the store's */
    private String searchPath(String projection, TableSet tables) {
        return tables == TableSet.NEXT ? PostgresSettings.quote(nextSchema(projection)) + ", "
                + PostgresSettings.quote(schema) : PostgresSettings.quote(schema);
    }

    /** Sets, for the transaction only, the idle timeout (when given) and the search path (when given), in one statement. */
    private static void setLocal(Connection conn, Long idleMillis, String searchPath) throws SQLException {
        List<String> calls = new ArrayList<>();
        if (idleMillis != null) {
            calls.add("set_config('idle_in_transaction_session_timeout', ?, true)");
        }
        if (searchPath != null) {
            calls.add("set_config('search_path', ?, true)");
        }
        if (calls.isEmpty()) {
            return;
        }
        try (PreparedStatement q = conn.prepareStatement("SELECT " + String.join(", ", calls))) {
            int i = 1;
            if (idleMillis != null) {
                q.setString(i++, Long.toString(idleMillis));
            }
            if (searchPath != null) {
                q.setString(i, searchPath);
            }
            q.execute();
        }
    }

    /**
     * Takes the transaction-scoped advisory lock of a projection's tables: creating and switching them, by
     * any instance, happen one at a time (two concurrent CREATE TABLE IF NOT EXISTS of one name can fail on
     * PostgreSQL's catalog, and a creation must not run between the switch's drop and move).
     */
    private void lockTables(Connection conn, String projection) throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            q.setInt(1, 0x52455754); // "REWT"
            q.setString(2, schema + "." + projection);
            q.execute();
        }
    }

    private void inSerializedTransaction(String projection, String doing, SqlStep step) {
        refuseIfReadOnly(doing);
        try {
            pool.call(doing, conn -> {
                conn.setAutoCommit(false);
                try {
                    lockTables(conn, projection);
                    step.run(conn);
                    conn.commit();
                    return null;
                } catch (Throwable t) {
                    rollbackQuietly(conn, t);
                    throw rethrow(t);
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    private void deleteCheckpoint(Connection conn, String name) throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("DELETE FROM " + checkpoints + " WHERE name = ?")) {
            q.setString(1, name);
            q.executeUpdate();
        }
    }

    /**
     * The switch: the live objects that have the names of the next set's are dropped (views first, as they
     * depend on tables), the next set's are moved into the store's schema, and the emptied schema is dropped.
     * Indexes, constraints and owned sequences move with their tables. A live object something else depends
     * on (a view not in the DDL) makes the drop fail, and so the switch: nothing is dropped silently.
     */
    private void moveTables(Connection conn, String projection, String next) throws SQLException {
        lockTables(conn, projection);
        Map<String, Character> moving = relations(conn, next, null);
        if (moving.isEmpty()) {
            throw new IllegalStateException("the rebuild of '" + projection + "' has no table in schema " + next
                    + ": its @CreateTables method created none there (use unqualified names)");
        }
        for (String name : moving.keySet()) {
            if (name.startsWith("rewind_")) {
                throw new IllegalStateException("the rebuild of '" + projection + "' created '" + name + "' in schema "
                        + next + ": names starting with rewind_ are Rewind's own tables; rename it");
            }
        }
        Map<String, Character> replaced = relations(conn, schema, moving.keySet().toArray(new String[0]));
        try (java.sql.Statement st = conn.createStatement()) {
            for (String kinds : List.of("vm", "rp", "S")) { // views before the tables they read
                for (Map.Entry<String, Character> old : replaced.entrySet()) {
                    if (kinds.indexOf(old.getValue()) >= 0) {
                        st.execute("DROP " + keyword(old.getValue()) + " " + settingsQualified(schema, old.getKey()));
                    }
                }
            }
            for (Map.Entry<String, Character> fresh : moving.entrySet()) {
                st.execute("ALTER " + keyword(fresh.getValue()) + " " + settingsQualified(next, fresh.getKey())
                        + " SET SCHEMA " + PostgresSettings.quote(schema));
            }
            st.execute("DROP SCHEMA " + PostgresSettings.quote(next)); // not CASCADE: what was not moved fails the switch
        }
    }

    private static String settingsQualified(String schema, String name) {
        return PostgresSettings.quote(schema) + "." + PostgresSettings.quote(name);
    }

    private static String keyword(char relkind) {
        return switch (relkind) {
            case 'v' -> "VIEW";
            case 'm' -> "MATERIALIZED VIEW";
            case 'S' -> "SEQUENCE";
            default -> "TABLE";
        };
    }

    /**
     * @return the tables, views, materialized views and free-standing sequences of a schema (by name, with
     *     their relkind), only those named when {@code names} is given
     */
    private static Map<String, Character> relations(Connection conn, String schema, String[] names) throws SQLException {
        String sql = "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                // a serial or identity column's sequence moves (and is dropped) with its table
                + " AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
                + " AND d.objid = c.oid AND d.deptype IN ('a', 'i')))"
                + (names == null ? "" : " AND c.relname = ANY (?)") + " ORDER BY c.relname";
        Map<String, Character> out = new java.util.LinkedHashMap<>();
        try (PreparedStatement q = conn.prepareStatement(sql)) {
            q.setString(1, schema);
            if (names != null) {
                q.setArray(2, conn.createArrayOf("text", names));
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2).charAt(0));
                }
            }
        }
        return out;
    }

    /**
     * One transaction: the search path (when given) and the lease's idle timeout, the work, {@code beforeSave}
     * (when given), the checkpoint the work returns (fenced when a lease is given), COMMIT; ROLLBACK when
     * anything fails.
     */
    private Checkpoint transaction(String projection, String name, Lease lease, String searchPath, Work work,
                                   SqlStep beforeSave, String doing) {
        Objects.requireNonNull(work, "work");
        if (lease != null && !lease.name().equals(projection)) {
            throw new IllegalArgumentException("the batch of '" + name + "' cannot run under the lease of '"
                    + lease.name() + "'");
        }
        refuseIfReadOnly(doing);
        Checkpoint[] committed = new Checkpoint[1];
        try {
            pool.call(doing, conn -> {
                conn.setAutoCommit(false); // Pool.call gives the connection back in auto-commit mode
                try {
                    // A stalled owner (GC pause, SIGSTOP) holds the row locks of its open batch: the new
                    // owner's writes of the same rows would wait for it without end. The server ends a
                    // transaction left idle for a lease's time, so they wait at most that long; the
                    // stalled owner's batch is rolled back, and its lease was lost anyway.
                    setLocal(conn, lease == null ? null : Math.max(1, lease.duration().toMillis()), searchPath);
                    Checkpoint cp = work.run(conn);
                    if (cp == null) {
                        conn.rollback();
                        return null;
                    }
                    if (!cp.name().equals(name)) {
                        throw new IllegalArgumentException("the batch of '" + name + "' returned the checkpoint of '"
                                + cp.name() + "'");
                    }
                    if (beforeSave != null) {
                        beforeSave.run(conn);
                    }
                    String saving = "saving the checkpoint of '" + name + "' at position " + cp.position()
                            + " with its batch";
                    int rows = lease == null ? bindAndRun(conn, save, cp)
                            : bindAndRun(conn, fencedSave, cp, lease.name(), lease.owner(), lease.token());
                    if (rows != 1) {
                        conn.rollback();
                        if (lease != null) {
                            throw lost(lease, saving);
                        }
                        throw new EventStoreException("PostgreSQL storage did not save: " + saving + " changed "
                                + rows + " rows");
                    }
                    conn.commit();
                    committed[0] = cp;
                    return null;
                } catch (Throwable t) {
                    rollbackQuietly(conn, t);
                    if (t instanceof SQLException | t instanceof RuntimeException | t instanceof Error) {
                        throw rethrow(t);
                    }
                    throw new TransactionWorkException(name, t);
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
        return committed[0];
    }

    /** Rolls back after a failure; a rollback that fails too (the connection is broken) is added to it. */
    private static void rollbackQuietly(Connection conn, Throwable failure) {
        try {
            if (!conn.isClosed() && !conn.getAutoCommit()) {
                conn.rollback();
            }
        } catch (SQLException broken) {
            failure.addSuppressed(broken);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable t) throws T {
        throw (T) t;
    }

    /** Binds a checkpoint statement ({@code before} first, then the columns) on a given connection and runs it. */
    private static int bindAndRun(Connection conn, String sql, Checkpoint c, Object... before) throws SQLException {
        String parked = json(c.parked());
        String skipped = json(c.skipped());
        String decisions = json(c.decisions());
        Object[] time = Rows.timeKey(c.savedAt());
        int checksum = checksum(c.name(), c.version(), c.origin(), c.position(), c.eventId(), c.applied(), c.hash(),
                c.highWater(), parked, skipped, decisions, c.snapshot(), c.savedAt());
        try (PreparedStatement q = conn.prepareStatement(sql)) {
            for (int i = 0; i < before.length; i++) {
                q.setObject(i + 1, before[i]);
            }
            int o = before.length;
            q.setString(o + 1, c.name());
            q.setString(o + 2, c.version());
            q.setLong(o + 3, c.origin());
            q.setLong(o + 4, c.position());
            q.setObject(o + 5, c.eventId());
            q.setLong(o + 6, c.applied());
            q.setLong(o + 7, c.hash());
            q.setLong(o + 8, c.highWater());
            q.setString(o + 9, parked);
            q.setString(o + 10, skipped);
            q.setString(o + 11, decisions);
            if (c.snapshot() == null) {
                q.setNull(o + 12, Types.BINARY);
            } else {
                q.setBytes(o + 12, c.snapshot());
            }
            q.setObject(o + 13, time[0]);
            q.setShort(o + 14, (Short) time[1]);
            q.setInt(o + 15, checksum);
            return q.executeUpdate();
        }
    }

    private Optional<Checkpoint> read(String sql, String table, String name, String doing, Object... args) {
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    for (int i = 0; i < args.length; i++) {
                        q.setObject(i + 1, args[i]);
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        return rs.next() ? Optional.of(decode(rs, table, name)) : Optional.<Checkpoint>empty();
                    }
                }
            });
        } catch (SQLException e) {
            if (missingTables(e)) {
                return Optional.empty();
            }
            throw SqlErrors.translate(e, doing);
        }
    }

    /**
     * A read-only storage never migrates, so over a schema of an older release the tables may be missing:
     * it then has nothing kept, which is what it reports. A writable storage migrated at start-up, so a
     * missing table there is a real error.
     */
    private boolean missingTables(SQLException e) {
        return readOnly && UNDEFINED_TABLE.equals(e.getSQLState());
    }

    // ---------------------------------------------------------------- leases

    @Override
    public Optional<Lease> acquire(String name, String owner, Duration duration) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Lease asked = new Lease(name, owner, 0, duration); // checks the duration
        String doing = "acquiring the lease of '" + name + "' for instance '" + owner + "'";
        refuseIfReadOnly(doing);
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(acquire)) {
                    q.setString(1, name);
                    q.setString(2, owner);
                    q.setDouble(3, seconds(asked.duration()));
                    try (ResultSet rs = q.executeQuery()) {
                        return rs.next() ? Optional.of(new Lease(name, owner, rs.getLong(1), duration))
                                : Optional.<Lease>empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw SqlErrors.translate(e, doing);
        }
    }

    @Override
    public void renew(Lease lease) {
        String doing = "renewing the lease of '" + lease.name() + "'";
        if (update(renew, doing, seconds(lease.duration()), lease.name(), lease.owner(), lease.token()) != 1) {
            throw lost(lease, doing);
        }
    }

    @Override
    public void release(Lease lease) {
        update(release, "releasing the lease of '" + lease.name() + "'", lease.name(), lease.owner(), lease.token());
    }

    @Override
    public Optional<Lease> holder(String name) {
        Objects.requireNonNull(name, "name");
        return leaseRow(name).filter(LeaseRow::held).map(r -> new Lease(name, r.owner(), r.token(), r.duration()));
    }

    /** The lease row as it is, expired or not. */
    private record LeaseRow(String owner, long token, boolean held, Duration duration) {
    }

    private Optional<LeaseRow> leaseRow(String name) {
        String doing = "reading the lease of '" + name + "'";
        try {
            return pool.call(doing, c -> {
                try (PreparedStatement q = c.prepareStatement(holder)) {
                    q.setString(1, name);
                    try (ResultSet rs = q.executeQuery()) {
                        return rs.next() ? Optional.of(new LeaseRow(rs.getString(1), rs.getLong(2), rs.getBoolean(3),
                                // the last grant's length; a released row has none left, reported as 1 ms
                                Duration.ofNanos(Math.max(1_000_000, (long) (rs.getDouble(4) * 1e9)))))
                                : Optional.<LeaseRow>empty();
                    }
                }
            });
        } catch (SQLException e) {
            if (missingTables(e)) {
                return Optional.empty();
            }
            throw SqlErrors.translate(e, doing);
        }
    }

    /** Why a lease operation changed nothing: who holds the lease now, read after the fact. */
    private LeaseLostException lost(Lease lease, String doing) {
        Optional<LeaseRow> now;
        try {
            now = leaseRow(lease.name());
        } catch (RuntimeException e) {
            now = Optional.empty(); // the refusal stands; who holds it now is only a detail of the message
        }
        return new LeaseLostException(lease.name(), lease.owner(), lease.token(),
                now.filter(LeaseRow::held).map(LeaseRow::owner).orElse(null), now.map(LeaseRow::token).orElse(-1L),
                doing);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    // ---------------------------------------------------------------- rows

    private Checkpoint decode(ResultSet rs, String table, String name) throws SQLException {
        long position = rs.getLong("position");
        String where = "the row of '" + name + "' at position " + position + " in table " + schema + "." + table;
        Instant savedAt = Rows.instant(rs, rs.findColumn("saved_at"));
        String version = rs.getString("version");
        long origin = rs.getLong("origin");
        UUID eventId = rs.getObject("event_id", UUID.class);
        long applied = rs.getLong("applied");
        long hash = rs.getLong("hash");
        long highWater = rs.getLong("high_water");
        String parked = rs.getString("parked");
        String skipped = rs.getString("skipped");
        String decisions = rs.getString("decisions");
        byte[] snapshot = rs.getBytes("snapshot");
        int stored = rs.getInt("checksum");
        int computed = checksum(rs.getString("name"), version, origin, position, eventId, applied, hash, highWater,
                parked, skipped, decisions, snapshot, savedAt);
        if (stored != computed) {
            throw new CorruptStoreException(where + " is damaged: checksum mismatch (stored "
                    + Integer.toHexString(stored) + ", computed " + Integer.toHexString(computed) + ")");
        }
        try {
            return new Checkpoint(name, version, origin, position, eventId, applied, hash, highWater,
                    JSON.readValue(parked, PARKED), JSON.readValue(skipped, POSITIONS),
                    JSON.readValue(decisions, DECISIONS), snapshot, savedAt);
        } catch (JsonProcessingException | RuntimeException e) {
            // the checksum matched, so this was written so: a writer of another release, or a bug, not damage on disk
            throw new CorruptStoreException(where + " cannot be read back: " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a checkpoint's " + value.getClass().getSimpleName()
                    + " as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * A CRC32C of a row's columns (but the checksum and the fencing token), each length-prefixed or fixed
     * in size so that no two rows encode alike; the JSON columns as the exact text stored ({@code json}
     * keeps it as written).
     */
    static int checksum(String name, String version, long origin, long position, UUID eventId, long applied,
                        long hash, long highWater, String parked, String skipped, String decisions, byte[] snapshot,
                        Instant savedAt) {
        CRC32C crc = new CRC32C();
        text(crc, name);
        text(crc, version);
        ByteBuffer fixed = ByteBuffer.allocate(8 * 9 + 4 + 1);
        fixed.putLong(origin).putLong(position).put((byte) (eventId == null ? 0 : 1))
                .putLong(eventId == null ? 0 : eventId.getMostSignificantBits())
                .putLong(eventId == null ? 0 : eventId.getLeastSignificantBits())
                .putLong(applied).putLong(hash).putLong(highWater)
                .putLong(savedAt.getEpochSecond()).putInt(savedAt.getNano());
        crc.update(fixed.array(), 0, fixed.position());
        text(crc, parked);
        text(crc, skipped);
        text(crc, decisions);
        bytes(crc, snapshot);
        return (int) crc.getValue();
    }

    private static void text(CRC32C crc, String s) {
        bytes(crc, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(CRC32C crc, byte[] b) {
        crc.update(ByteBuffer.allocate(4).putInt(b == null ? -1 : b.length).array());
        if (b != null) {
            crc.update(b);
        }
    }

    @Override
    public String toString() {
        return "PostgresProjectionStore[" + schema + (readOnly ? ", read-only" : "") + "]";
    }
}
