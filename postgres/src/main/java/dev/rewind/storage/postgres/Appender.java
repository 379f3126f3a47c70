package dev.rewind.storage.postgres;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.storage.kernel.AppendRules;
import dev.rewind.storage.kernel.RecordedAtClamp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One append: one transaction that takes the store's advisory lock, checks (exact retry, duplicate
 * id, expected version, in that order), assigns positions, versions and the instant, inserts, and
 * notifies other instances. Everything between the lock and the commit sees a store nobody else
 * writes to, which is what makes the checks and the numbering simple and exact; why the lock is held
 * until commit is explained on {@link PostgresStorage}.
 *
 * <p>Two ways, same rules: {@link #appendFast} calls the server-side function {@code rewind_append}
 * (schema V2), one round trip, which settles the common case (all ids new and distinct) by itself;
 * when an id of the batch is already stored it writes nothing, and {@link #appendInTransaction}
 * settles the batch in a transaction driven from here, where {@link AppendRules} tells an exact retry
 * from a duplicate over look-ups made under the lock. The expected-version check is the function's
 * (or, in the transaction, {@link AppendRules#conflict}); the messages are always {@link AppendRules}'.
 */
final class Appender {
    private final long lockKey;
    private final String channel;
    private final String events;
    private final String call;
    private final String insert;
    private final boolean setsSearchPath;

    /** A step on a connection (a test seam: see {@link #append}). */
    @FunctionalInterface
    interface SqlStep {
        void run(Connection c) throws SQLException;
    }

    /**
     * @param settings the store's settings
     * @param searchPathIsSchema whether the connections' search path is the store's schema already;
     *     if not, each call sets it for its own transaction, because the function's body names its
     *     table unqualified
     */
    Appender(PostgresSettings settings, boolean searchPathIsSchema) {
        this.lockKey = settings.lockKey();
        this.channel = settings.channel();
        this.events = settings.qualified("rewind_events");
        String function = "SELECT status, stream_version, first_position, recorded_at, recorded_at_nanos FROM "
                + settings.qualified("rewind_append") + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)";
        // Sent with the call in one round trip; set_config(..., true) lasts until the implicit
        // transaction of the two statements ends, so the application's connection keeps its own path.
        this.call = searchPathIsSchema ? function
                : "SELECT set_config('search_path', '" + PostgresSettings.quote(settings.schema()) + "', true); "
                        + function;
        this.insert = Rows.insert(events);
        this.setsSearchPath = !searchPathIsSchema;
    }

    /**
     * Appends on {@code c} (in auto-commit mode) and commits: one call of the function, or, when an id of
     * the batch is stored or given twice (or {@code beforeCommit} is set), a transaction driven from here.
     *
     * @param beforeCommit null, or a step the transaction runs after the batch is written and before
     *     the commit (tests use it to break the connection there)
     * @return the outcome
     */
    AppendOutcome append(Connection c, String streamId, ExpectedVersion expected, List<SerializedEvent> batch,
                         Clock clock, SqlStep beforeCommit) throws SQLException {
        if (beforeCommit == null && distinct(batch)) {
            AppendOutcome outcome = appendFast(c, streamId, expected, batch, clock.instant());
            if (outcome != null) {
                return outcome;
            }
        }
        c.setAutoCommit(false);
        try {
            AppendOutcome outcome = appendInTransaction(c, streamId, expected, batch, clock);
            if (beforeCommit != null) {
                beforeCommit.run(c);
            }
            c.commit();
            return outcome;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /**
     * The common case in one call of {@code rewind_append}: in auto-commit mode the append and its
     * commit are one round trip; in a transaction the caller commits.
     *
     * @return the outcome, or null when an id of the batch is already stored (nothing was written:
     *     settle it with {@link #appendInTransaction})
     * @throws ConcurrencyConflictException when the expected version does not match
     */
    AppendOutcome appendFast(Connection c, String streamId, ExpectedVersion expected, List<SerializedEvent> batch,
                             Instant now) throws SQLException {
        int n = batch.size();
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        byte[][] payloads = new byte[n][];
        String[] correlation = new String[n];
        String[] causation = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            SerializedEvent e = batch.get(i);
            types[i] = e.type();
            schemaVersions[i] = e.schemaVersion();
            payloads[i] = e.payload();
            correlation[i] = e.metadata().correlationId();
            causation[i] = e.metadata().causationId();
            metadata[i] = Rows.json(e.metadata().values());
        }
        Object[] at = Rows.timeKey(now);
        try (PreparedStatement q = c.prepareStatement(call)) {
            q.setLong(1, lockKey);
            q.setString(2, channel);
            q.setString(3, streamId);
            q.setLong(4, expected.isAny() ? -2 : expected.lastVersion());
            q.setArray(5, c.createArrayOf("uuid", ids(batch)));
            q.setArray(6, c.createArrayOf("text", types));
            q.setArray(7, c.createArrayOf("int4", schemaVersions));
            q.setArray(8, c.createArrayOf("bytea", payloads));
            q.setArray(9, c.createArrayOf("text", correlation));
            q.setArray(10, c.createArrayOf("text", causation));
            q.setArray(11, c.createArrayOf("text", metadata));
            q.setObject(12, at[0]);
            q.setShort(13, (Short) at[1]);
            try (ResultSet rs = result(q)) {
                rs.next();
                switch (rs.getString(1)) {
                    case "known_id":
                        return null;
                    case "conflict":
                        throw conflict(streamId, expected, rs.getLong(2));
                    case "appended":
                        // stream_version is the stream's last version before the batch
                        return new AppendOutcome(rs.getLong(2) + 1, rs.getLong(3), Rows.instant(rs, 4), false);
                    default:
                        throw new IllegalStateException("rewind_append returned status " + rs.getString(1));
                }
            }
        }
    }

    /** @return the result of the function call (after set_config's, when the call sets the search path) */
    private ResultSet result(PreparedStatement q) throws SQLException {
        if (!setsSearchPath) {
            return q.executeQuery();
        }
        q.execute();
        if (!q.getMoreResults()) {
            throw new IllegalStateException("rewind_append returned no result after set_config");
        }
        return q.getResultSet();
    }

    /** Runs the append on {@code c} (auto-commit off); the caller commits or rolls back. */
    AppendOutcome appendInTransaction(Connection c, String streamId, ExpectedVersion expected,
                                      List<SerializedEvent> batch, Clock clock) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, lockKey);
            lock.execute();
        }
        long last;
        long next;
        Instant lastAt = null;
        // One statement for the state the checks need; it runs after the lock, so its snapshot sees
        // every append committed before ours (READ COMMITTED takes a snapshot per statement).
        try (PreparedStatement state = c.prepareStatement("SELECT"
                + " (SELECT coalesce(max(stream_version), -1) FROM " + events + " WHERE stream_id = ?),"
                + " EXISTS (SELECT 1 FROM " + events + " WHERE event_id = ANY(?)),"
                + " h.global_position, h.recorded_at, h.recorded_at_nanos"
                + " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT global_position, recorded_at, recorded_at_nanos"
                + " FROM " + events + " ORDER BY global_position DESC LIMIT 1) h ON true")) {
            state.setString(1, streamId);
            state.setArray(2, c.createArrayOf("uuid", ids(batch)));
            try (ResultSet rs = state.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
                boolean anyStored = rs.getBoolean(2);
                if (rs.getObject(3) == null) {
                    next = 0;
                } else {
                    next = rs.getLong(3) + 1;
                    lastAt = Rows.instant(rs, 4);
                }
                if (anyStored) {
                    AppendOutcome retry = checkIds(c, streamId, batch, next);
                    if (retry != null) {
                        return retry;
                    }
                } else {
                    AppendRules.checkDistinct(batch);
                }
            }
        }
        ConcurrencyConflictException conflict = AppendRules.conflict(streamId, expected, last);
        if (conflict != null) {
            throw conflict;
        }
        // A clock that steps back (or another instance's clock behind ours) must not break time queries.
        Instant now = new RecordedAtClamp(lastAt).next(clock);
        long position = next;
        try (PreparedStatement rows = c.prepareStatement(insert)) {
            long version = last;
            for (SerializedEvent e : batch) {
                Rows.bind(rows, e, streamId, ++version, position++, now, next, batch.size());
            }
            rows.executeBatch();
        }
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, channel);
            notify.setString(2, Long.toString(position));
            notify.execute();
        }
        return new AppendOutcome(last + 1, next, now, false);
    }

    /** {@link AppendRules#checkIds} over what the store holds, read under the lock. */
    private AppendOutcome checkIds(Connection c, String streamId, List<SerializedEvent> batch, long next)
            throws SQLException {
        try {
            return AppendRules.checkIds(streamId, batch, new StoredLookups(c, events, batch, next));
        } catch (StoredLookups.SqlFailure f) {
            throw f.cause();
        }
    }

    /**
     * @param events a batch
     * @return whether its ids are distinct; when not, the transaction's checks report it (after a stored id)
     */
    private static boolean distinct(List<SerializedEvent> events) {
        try {
            AppendRules.checkDistinct(events);
            return true;
        } catch (DuplicateEventIdException twice) {
            return false;
        }
    }

    private static ConcurrencyConflictException conflict(String streamId, ExpectedVersion expected, long last) {
        ConcurrencyConflictException conflict = AppendRules.conflict(streamId, expected, last);
        if (conflict == null) {
            throw new IllegalStateException("rewind_append reported a conflict on stream '" + streamId + "' at version "
                    + last + ", which " + expected + " accepts");
        }
        return conflict;
    }

    static UUID[] ids(List<SerializedEvent> batch) {
        UUID[] ids = new UUID[batch.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).eventId();
        }
        return ids;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the server rolls the transaction back itself
        }
    }
}
