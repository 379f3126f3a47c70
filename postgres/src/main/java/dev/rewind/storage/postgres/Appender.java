package dev.rewind.storage.postgres;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.StoredRecord;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One append: one transaction that takes the store's advisory lock, checks (exact retry, duplicate
 * id, expected version, in that order), assigns positions, versions and the instant, inserts, and
 * notifies other instances. Everything between the lock and the commit sees a store nobody else
 * writes to, which is what makes the checks and the numbering simple and exact; why the lock is held
 * until commit is explained on {@link PostgresStorage}.
 *
 * <p>Two ways, same rules: {@link #appendFast} calls the server-side function {@code rewind_append}
 * (schema V2), one round trip, which settles the common case (all ids new) by itself; when an id is
 * already stored it writes nothing and {@link #append} settles exact retry versus duplicate in a
 * transaction driven from here.
 */
final class Appender {
    private final long lockKey;
    private final String channel;

    Appender(long lockKey, String channel) {
        this.lockKey = lockKey;
        this.channel = channel;
    }

    /**
     * The common case in one call of {@code rewind_append}: in auto-commit mode the append and its
     * commit are one round trip; in a transaction the caller commits.
     *
     * @return the outcome, or null when an id of the batch is already stored (nothing was written:
     *     settle it with {@link #append})
     * @throws ConcurrencyConflictException when the expected version does not match
     */
    AppendOutcome appendFast(Connection c, String streamId, ExpectedVersion expected, List<EventRecord> records,
                             Instant now) throws SQLException {
        int n = records.size();
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        byte[][] payloads = new byte[n][];
        String[] correlation = new String[n];
        String[] causation = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            EventRecord r = records.get(i);
            types[i] = r.type();
            schemaVersions[i] = r.schemaVersion();
            payloads[i] = r.payload();
            correlation[i] = r.metadata().correlationId();
            causation[i] = r.metadata().causationId();
            metadata[i] = Rows.json(r.metadata().values());
        }
        Object[] at = Rows.timeKey(now);
        try (PreparedStatement call = c.prepareStatement("SELECT status, stream_version, first_position, recorded_at,"
                + " recorded_at_nanos FROM rewind_append(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)")) {
            call.setLong(1, lockKey);
            call.setString(2, channel);
            call.setString(3, streamId);
            call.setLong(4, expected.isAny() ? -2 : expected.lastVersion());
            call.setArray(5, c.createArrayOf("uuid", ids(records)));
            call.setArray(6, c.createArrayOf("text", types));
            call.setArray(7, c.createArrayOf("int4", schemaVersions));
            call.setArray(8, c.createArrayOf("bytea", payloads));
            call.setArray(9, c.createArrayOf("text", correlation));
            call.setArray(10, c.createArrayOf("text", causation));
            call.setArray(11, c.createArrayOf("text", metadata));
            call.setObject(12, at[0]);
            call.setShort(13, (Short) at[1]);
            try (ResultSet rs = call.executeQuery()) {
                rs.next();
                switch (rs.getString(1)) {
                    case "known_id":
                        return null;
                    case "conflict":
                        throw new ConcurrencyConflictException(streamId, expected, rs.getLong(2));
                    case "appended":
                        break;
                    default:
                        throw new IllegalStateException("rewind_append returned status " + rs.getString(1));
                }
                long version = rs.getLong(2);
                long position = rs.getLong(3);
                Instant recordedAt = rs.getObject(4, OffsetDateTime.class).toInstant().plusNanos(rs.getShort(5));
                List<StoredRecord> stored = new ArrayList<>(n);
                for (EventRecord r : records) {
                    stored.add(StoredRecord.of(r, streamId, ++version, position++, recordedAt, false));
                }
                return new AppendOutcome(stored, false);
            }
        }
    }

    /** Runs the append on {@code c} (auto-commit off); the caller commits or rolls back. */
    AppendOutcome append(Connection c, String streamId, ExpectedVersion expected, List<EventRecord> records,
                         Clock clock) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, lockKey);
            lock.execute();
        }
        long last;
        long position;
        Instant lastAt = null;
        // One statement for the state the checks need; it runs after the lock, so its snapshot sees
        // every append committed before ours (READ COMMITTED takes a snapshot per statement).
        try (PreparedStatement state = c.prepareStatement("SELECT"
                + " (SELECT coalesce(max(stream_version), -1) FROM rewind_events WHERE stream_id = ?),"
                + " EXISTS (SELECT 1 FROM rewind_events WHERE event_id = ANY(?)),"
                + " h.global_position, h.recorded_at, h.recorded_at_nanos"
                + " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT global_position, recorded_at, recorded_at_nanos"
                + " FROM rewind_events ORDER BY global_position DESC LIMIT 1) h ON true")) {
            state.setString(1, streamId);
            state.setArray(2, c.createArrayOf("uuid", ids(records)));
            try (ResultSet rs = state.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
                if (rs.getBoolean(2)) {
                    AppendOutcome retry = checkIds(c, streamId, records);
                    if (retry != null) {
                        return retry;
                    }
                }
                if (rs.getObject(3) == null) {
                    position = 0;
                } else {
                    position = rs.getLong(3) + 1;
                    lastAt = rs.getObject(4, OffsetDateTime.class).toInstant().plusNanos(rs.getShort(5));
                }
            }
        }
        if (!expected.matches(last)) {
            throw new ConcurrencyConflictException(streamId, expected, last);
        }
        Instant now = clock.instant();
        if (lastAt != null && now.isBefore(lastAt)) {
            now = lastAt; // a clock that steps back (or another instance's fast clock) must not break time queries
        }
        List<StoredRecord> stored = new ArrayList<>(records.size());
        try (PreparedStatement insert = c.prepareStatement(Rows.INSERT)) {
            long version = last;
            long batchFirst = position;
            for (EventRecord r : records) {
                version++;
                Rows.bind(insert, r, streamId, version, position, now, batchFirst, records.size());
                stored.add(StoredRecord.of(r, streamId, version, position, now, false));
                position++;
            }
            insert.executeBatch();
        }
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, channel);
            notify.setString(2, Long.toString(position));
            notify.execute();
        }
        return new AppendOutcome(stored, false);
    }

    /** Exact retry -> the original outcome; any other known id -> duplicate; all new -> null. */
    private static AppendOutcome checkIds(Connection c, String streamId, List<EventRecord> records)
            throws SQLException {
        Map<UUID, StoredRecord> found = new HashMap<>();
        Array array = c.createArrayOf("uuid", ids(records));
        try (PreparedStatement q = c.prepareStatement("SELECT " + Rows.COLUMNS
                + " FROM rewind_events WHERE event_id = ANY(?)")) {
            q.setArray(1, array);
            try (ResultSet rs = q.executeQuery()) {
                for (StoredRecord s : Rows.readAll(rs)) {
                    found.put(s.eventId(), s);
                }
            }
        } finally {
            array.free();
        }
        if (found.isEmpty()) {
            return null;
        }
        StoredRecord first = found.get(records.get(0).eventId());
        if (first != null && first.streamId().equals(streamId) && isExactRetry(c, first, records)) {
            List<StoredRecord> original = new ArrayList<>(records.size());
            for (EventRecord r : records) {
                original.add(found.get(r.eventId()));
            }
            return new AppendOutcome(original, true);
        }
        for (EventRecord r : records) {
            StoredRecord s = found.get(r.eventId());
            if (s != null) {
                throw new DuplicateEventIdException(r.eventId(), "already stored at global position "
                        + s.globalPosition() + " (stream '" + s.streamId() + "' version " + s.streamVersion()
                        + "); nothing of this batch was written");
            }
        }
        return null;
    }

    private static UUID[] ids(List<EventRecord> records) {
        UUID[] ids = new UUID[records.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = records.get(i).eventId();
        }
        return ids;
    }

    /** The batch is the same batch again: a whole stored batch (no more, no less), same ids, same stream, same content. */
    private static boolean isExactRetry(Connection c, StoredRecord first, List<EventRecord> records)
            throws SQLException {
        List<StoredRecord> run;
        try (PreparedStatement q = c.prepareStatement("SELECT " + Rows.COLUMNS + " FROM rewind_events"
                + " WHERE global_position >= ? AND global_position < ? AND batch_first = ? AND batch_size = ?"
                + " ORDER BY global_position")) {
            q.setLong(1, first.globalPosition());
            q.setLong(2, first.globalPosition() + records.size());
            q.setLong(3, first.globalPosition());
            q.setInt(4, records.size());
            try (ResultSet rs = q.executeQuery()) {
                run = Rows.readAll(rs);
            }
        }
        if (run.size() != records.size()) {
            return false;
        }
        for (int i = 0; i < records.size(); i++) {
            StoredRecord s = run.get(i);
            if (!s.streamId().equals(first.streamId()) || s.streamVersion() != first.streamVersion() + i
                    || !records.get(i).sameContentAs(s)) {
                return false;
            }
        }
        return true;
    }

    static long streamVersion(Connection c, String streamId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "SELECT coalesce(max(stream_version), -1) FROM rewind_events WHERE stream_id = ?")) {
            q.setString(1, streamId);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
