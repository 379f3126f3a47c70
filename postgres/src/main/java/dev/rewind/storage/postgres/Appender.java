package dev.rewind.storage.postgres;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.storage.kernel.AppendRules;
import dev.rewind.storage.kernel.GroupCommit;
import dev.rewind.storage.kernel.RecordedAtClamp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends, in groups: the threads of one instance that append at the same time queue their batches,
 * and one of them (the kernel's {@link GroupCommit}: whoever finds no group under way) sends everything
 * queued in one call of the server-side function {@code rewind_append_group} (schema V4), in auto-commit
 * mode: one round trip, one transaction, one WAL flush for the whole group. The function takes the
 * store's advisory lock, so groups of all instances commit one after another in position order and
 * positions stay gap-free (docs/adr/0010-postgres-appends.md); it checks each batch on its own, in queue
 * order, as if they had been appended one after another, and gives each its own outcome: appended, a
 * conflict, or "an id is known" (stored, or in an earlier batch of the group).
 *
 * <p>A batch with a known id, or with an id twice in it, is settled alone afterwards, by its own thread,
 * in a transaction driven from here ({@link #appendInTransaction}), where {@link AppendRules} tells an
 * exact retry from a duplicate over look-ups made under the lock. When the server refuses a group (a
 * batch it cannot store), the group wrote nothing and each batch is sent again on its own, so only
 * the faulty one fails. When the connection breaks after a group was sent, every batch of it may have
 * been written, and each caller is told so ({@link SqlErrors#translateAppend}).
 */
final class Appender {
    /** The most batches in one group: bounds a group's transaction and its arrays. */
    static final int GROUP_BATCHES = 128;
    /** The most events in one group (a single batch may hold more: it then goes alone in its group). */
    static final int GROUP_EVENTS = 4096;
    /**
     * How often a server process checks, while it waits for the store's lock, that its client is still
     * there (PostgreSQL 14 and later): a client that died meanwhile has its append rolled back instead
     * of committed after it is gone.
     */
    static final int CLIENT_CHECK_MILLIS = 1000;
    /** How long the transaction driven from here may sit idle holding the lock before the server ends it. */
    static final int IDLE_IN_TRANSACTION_MILLIS = 10_000;

    private final Pool pool;
    private final Queries queries;
    private final long lockKey;
    private final String channel;
    private final String events;
    private final String groupCall;
    private final boolean callHasPrefix;
    private final String insert;
    private final GroupCommit commits;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** The last ticket handed out (under the queue's lock), and the last one settled. */
    private long tickets;
    private volatile long settled;
    private final AtomicLong groups = new AtomicLong();
    private final AtomicLong grouped = new AtomicLong();

    /** A step on a connection (a test seam: see {@link #append}). */
    @FunctionalInterface
    interface SqlStep {
        void run(Connection c) throws SQLException;
    }

    /** A batch waiting for its group, and what its group made of it. */
    static final class Pending {
        final String streamId;
        final ExpectedVersion expected;
        final List<SerializedEvent> events;
        final Instant now;
        long ticket;
        /** Set when the batch was written. */
        AppendOutcome outcome;
        /** Set when it was refused, or its group failed; with neither set, it is settled alone. */
        RuntimeException failure;

        Pending(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Instant now) {
            this.streamId = streamId;
            this.expected = expected;
            this.events = events;
            this.now = now;
        }
    }

    /**
     * @param settings the store's settings
     * @param pool where connections come from
     * @param queries the reads, for the messages of a unique index's refusal
     * @param searchPathIsSchema whether every connection's search path is the store's schema (a pool
     *     Rewind made); if not, each call sets it for its own transaction
     * @param checksClient whether the server has {@code client_connection_check_interval} (PostgreSQL 14+)
     */
    Appender(PostgresSettings settings, Pool pool, Queries queries, boolean searchPathIsSchema, boolean checksClient) {
        this.pool = pool;
        this.queries = queries;
        this.lockKey = settings.lockKey();
        this.channel = settings.channel();
        this.events = settings.qualified("rewind_events");
        String function = "SELECT status, stream_version, first_position, recorded_at, recorded_at_nanos FROM "
                + settings.qualified("rewind_append_group")
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb[], ?, ?)";
        // Sent with the call in one round trip; set_config(..., true) lasts until the implicit transaction
        // of the two statements ends, so the application's connection keeps its own settings. The
        // function names its table unqualified, so a connection of the application's own pool, whose
        // search path is its own, gets the store's schema for the call.
        List<String> prefix = new ArrayList<>();
        if (!searchPathIsSchema) {
            prefix.add("set_config('search_path', '" + PostgresSettings.quote(settings.schema()) + "', true)");
        }
        if (checksClient) {
            prefix.add("set_config('client_connection_check_interval', '" + CLIENT_CHECK_MILLIS + "', true)");
        }
        this.callHasPrefix = !prefix.isEmpty();
        this.groupCall = callHasPrefix ? "SELECT " + String.join(", ", prefix) + "; " + function : function;
        this.insert = Rows.insert(events);
        this.commits = new GroupCommit(this::commitQueued, () -> settled, true);
    }

    /**
     * Appends and commits: in a group with whatever other threads of this instance append meanwhile, or
     * alone in a transaction driven from here when an id of the batch is known or given twice (or
     * {@code beforeCommit} is set).
     *
     * @param beforeCommit null, or a step the transaction runs after the batch is written and before
     *     the commit (tests use it to break the connection there); it makes the append go alone
     * @return the outcome
     * @throws ConcurrencyConflictException when the expected version does not match
     * @throws DuplicateEventIdException when an id is stored otherwise, or given twice
     * @throws StorageUnavailableException when the database is out of reach; its message and
     *     {@link StorageUnavailableException#mayHaveBeenWritten()} say whether the batch may have been written
     */
    AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> batch, Clock clock,
                         SqlStep beforeCommit) {
        if (beforeCommit == null && distinct(batch)) {
            Pending p = new Pending(streamId, expected, batch, clock.instant());
            inGroup(p);
            if (p.outcome != null) {
                return p.outcome;
            }
            if (p.failure != null) {
                throw p.failure;
            }
        }
        return alone(streamId, expected, batch, clock, beforeCommit);
    }

    /** Queues {@code p} and returns once its group settled it. */
    private void inGroup(Pending p) {
        commits.enter();
        try {
            synchronized (queue) {
                p.ticket = ++tickets;
                queue.add(p);
            }
            commits.queued();
            commits.awaitAcknowledged(p.ticket);
        } finally {
            commits.leave();
        }
    }

    /** {@link GroupCommit.Committer}: sends what is queued as one group. Never throws: every batch gets its outcome. */
    private boolean commitQueued() {
        List<Pending> group = take();
        if (group.isEmpty()) {
            return false;
        }
        long start = System.nanoTime();
        try {
            settle(group);
        } catch (RuntimeException bug) {
            for (Pending p : group) {
                if (p.outcome == null && p.failure == null) {
                    p.failure = bug;
                }
            }
        }
        commits.synced(System.nanoTime() - start);
        groups.incrementAndGet();
        grouped.addAndGet(group.size());
        settled = group.get(group.size() - 1).ticket; // the queue's head: every lower ticket is settled too
        return true;
    }

    /** @return the queue's head, as much of it as one group takes */
    private List<Pending> take() {
        synchronized (queue) {
            List<Pending> group = new ArrayList<>(Math.min(queue.size(), GROUP_BATCHES));
            int n = 0;
            for (Pending p = queue.peek(); p != null && group.size() < GROUP_BATCHES
                    && (group.isEmpty() || n + p.events.size() <= GROUP_EVENTS); p = queue.peek()) {
                group.add(queue.poll());
                n += p.events.size();
            }
            if (queue.isEmpty()) {
                commits.taken();
            }
            return group;
        }
    }

    /** Sends {@code group}; when the server refuses it, sends each batch again on its own. */
    private void settle(List<Pending> group) {
        boolean[] sent = {false};
        try {
            pool.call(describe(group), c -> {
                callGroup(c, group, sent);
                return null;
            });
        } catch (SQLException e) {
            if (group.size() > 1 && sent[0] && !SqlErrors.isUnavailable(e)) {
                for (Pending p : group) { // the group wrote nothing: find the batch the server refuses
                    settle(List.of(p));
                }
                return;
            }
            for (Pending p : group) {
                p.failure = group.size() == 1 && SqlErrors.UNIQUE_VIOLATION.equals(e.getSQLState())
                        ? uniqueViolation(p.streamId, p.expected, p.events, e)
                        : SqlErrors.translateAppend(e, sent[0], p.streamId, p.events.size());
            }
        }
    }

    /** @return what an append of {@code n} events to {@code streamId} does, for messages */
    private static String describe(String streamId, int n) {
        return "appending " + n + (n == 1 ? " event" : " events") + " to stream '" + streamId + "'";
    }

    private static String describe(List<Pending> group) {
        if (group.size() == 1) {
            return describe(group.get(0).streamId, group.get(0).events.size());
        }
        int n = 0;
        for (Pending p : group) {
            n += p.events.size();
        }
        return "appending a group of " + group.size() + " batches (" + n + " events, the first to stream '"
                + group.get(0).streamId + "')";
    }

    /**
     * One call of {@code rewind_append_group} on {@code c} for {@code group}; sets each batch's outcome
     * or failure (neither: settle it alone). In auto-commit mode the call commits before it returns;
     * in a transaction the caller commits.
     *
     * @param sent set to true just before the call is sent
     */
    void callGroup(Connection c, List<Pending> group, boolean[] sent) throws SQLException {
        int batches = group.size();
        int n = 0;
        for (Pending p : group) {
            n += p.events.size();
        }
        String[] streams = new String[batches];
        Long[] expected = new Long[batches];
        Integer[] sizes = new Integer[batches];
        Integer[] previous = new Integer[batches];
        Boolean[] repeated = new Boolean[batches];
        Map<String, Integer> lastOfStream = batches == 1 ? Map.of() : new HashMap<>();
        Set<UUID> earlier = batches == 1 ? Set.of() : new HashSet<>();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        byte[][] payloads = new byte[n][];
        String[] correlation = new String[n];
        String[] causation = new String[n];
        String[] metadata = new String[n];
        Instant now = group.get(0).now;
        int i = 0;
        for (int b = 0; b < batches; b++) {
            Pending p = group.get(b);
            streams[b] = p.streamId;
            expected[b] = p.expected.isAny() ? -2 : p.expected.lastVersion();
            sizes[b] = p.events.size();
            previous[b] = 0;
            repeated[b] = false;
            if (batches > 1) {
                Integer before = lastOfStream.put(p.streamId, b + 1); // the function counts batches from 1
                previous[b] = before == null ? 0 : before;
                for (SerializedEvent e : p.events) {
                    repeated[b] |= earlier.contains(e.eventId());
                }
                for (SerializedEvent e : p.events) {
                    earlier.add(e.eventId());
                }
            }
            if (p.now.isAfter(now)) {
                now = p.now; // one instant for the group: the latest any of its appenders read
            }
            for (SerializedEvent e : p.events) {
                ids[i] = e.eventId();
                types[i] = e.type();
                schemaVersions[i] = e.schemaVersion();
                payloads[i] = e.payload();
                correlation[i] = e.metadata().correlationId();
                causation[i] = e.metadata().causationId();
                metadata[i] = Rows.json(e.metadata().values());
                i++;
            }
        }
        Object[] at = Rows.timeKey(now);
        try (PreparedStatement q = c.prepareStatement(groupCall)) {
            q.setLong(1, lockKey);
            q.setString(2, channel);
            q.setArray(3, c.createArrayOf("text", streams));
            q.setArray(4, c.createArrayOf("int8", expected));
            q.setArray(5, c.createArrayOf("int4", sizes));
            q.setArray(6, c.createArrayOf("int4", previous));
            q.setArray(7, c.createArrayOf("bool", repeated));
            q.setArray(8, c.createArrayOf("uuid", ids));
            q.setArray(9, c.createArrayOf("text", types));
            q.setArray(10, c.createArrayOf("int4", schemaVersions));
            q.setArray(11, c.createArrayOf("bytea", payloads));
            q.setArray(12, c.createArrayOf("text", correlation));
            q.setArray(13, c.createArrayOf("text", causation));
            q.setArray(14, c.createArrayOf("text", metadata));
            q.setObject(15, at[0]);
            q.setShort(16, (Short) at[1]);
            sent[0] = true;
            try (ResultSet rs = result(q)) {
                for (Pending p : group) {
                    if (!rs.next()) {
                        throw new IllegalStateException("rewind_append_group returned fewer rows than the "
                                + batches + " batches it was given");
                    }
                    switch (rs.getString(1)) {
                        case "known_id":
                            break;
                        case "conflict":
                            p.failure = conflict(p.streamId, p.expected, rs.getLong(2));
                            break;
                        case "appended":
                            // stream_version is the stream's last version before the batch
                            p.outcome = new AppendOutcome(rs.getLong(2) + 1, rs.getLong(3), Rows.instant(rs, 4), false);
                            break;
                        default:
                            throw new IllegalStateException("rewind_append_group returned status " + rs.getString(1));
                    }
                }
            }
        }
    }

    /**
     * Test seam: one batch through {@code rewind_append_group} on {@code c}, whose transaction the caller
     * commits or rolls back.
     *
     * @return the outcome, or null when an id of the batch is known (nothing was written)
     * @throws ConcurrencyConflictException when the expected version does not match
     */
    AppendOutcome appendOn(Connection c, String streamId, ExpectedVersion expected, List<SerializedEvent> batch,
                           Instant now) throws SQLException {
        Pending p = new Pending(streamId, expected, batch, now);
        callGroup(c, List.of(p), new boolean[1]);
        if (p.failure != null) {
            throw p.failure;
        }
        return p.outcome;
    }

    /** @return the result of the function call (after set_config's, when the call sets settings) */
    private ResultSet result(PreparedStatement q) throws SQLException {
        if (!callHasPrefix) {
            return q.executeQuery();
        }
        q.execute();
        if (!q.getMoreResults()) {
            throw new IllegalStateException("rewind_append_group returned no result after set_config");
        }
        return q.getResultSet();
    }

    /** Appends in a transaction of its own, driven from here, and commits. */
    private AppendOutcome alone(String streamId, ExpectedVersion expected, List<SerializedEvent> batch, Clock clock,
                                SqlStep beforeCommit) {
        boolean[] sent = {false};
        try {
            return pool.call(describe(streamId, batch.size()), c -> {
                c.setAutoCommit(false);
                try {
                    AppendOutcome outcome = appendInTransaction(c, streamId, expected, batch, clock);
                    if (beforeCommit != null) {
                        beforeCommit.run(c);
                    }
                    sent[0] = true;
                    c.commit();
                    return outcome;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            });
        } catch (SQLException e) {
            if (!sent[0] && SqlErrors.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw uniqueViolation(streamId, expected, batch, e);
            }
            throw SqlErrors.translateAppend(e, sent[0], streamId, batch.size());
        }
    }

    /**
     * Runs the append on {@code c} (auto-commit off) under the store's lock; the caller commits or rolls
     * back. The server ends the session if the transaction sits idle for {@value #IDLE_IN_TRANSACTION_MILLIS}
     * ms (a client that hangs between statements would otherwise hold the lock, and every append, for
     * as long as its connection lives).
     */
    AppendOutcome appendInTransaction(Connection c, String streamId, ExpectedVersion expected,
                                      List<SerializedEvent> batch, Clock clock) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL idle_in_transaction_session_timeout = " + IDLE_IN_TRANSACTION_MILLIS);
        }
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

    /** A unique index caught what the checks under the lock should have: say which rule was broken. */
    private EventStoreException uniqueViolation(String streamId, ExpectedVersion expected,
                                                List<SerializedEvent> batch, SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("rewind_events_event_id_key")) {
            for (SerializedEvent event : batch) {
                long at = queries.positionOf(event.eventId());
                if (at >= 0) {
                    return new DuplicateEventIdException(event.eventId(), "already stored at global position "
                            + at + "; nothing of this batch was written");
                }
            }
            return new DuplicateEventIdException(batch.get(0).eventId(),
                    "rejected by the unique index (" + message + "); nothing of this batch was written");
        }
        return new ConcurrencyConflictException(streamId, expected, queries.lastVersion(streamId));
    }

    /** @return how many groups were sent since the storage was opened (tests) */
    long groups() {
        return groups.get();
    }

    /** @return how many batches went into a group, on average, since the storage was opened (tests, stats) */
    double batchesPerGroup() {
        return grouped.get() / (double) Math.max(1, groups.get());
    }

    /** @return the batches waiting for a group (tests) */
    int queued() {
        synchronized (queue) {
            return queue.size();
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
            throw new IllegalStateException("rewind_append_group reported a conflict on stream '" + streamId
                    + "' at version " + last + ", which " + expected + " accepts");
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
