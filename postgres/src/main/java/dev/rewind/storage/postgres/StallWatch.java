package dev.rewind.storage.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the session that holds up the storage. Every storage call registers its server process (backend
 * pid) while it runs; a daemon thread looks once a second, and a call that has run longer than the
 * warning threshold while PostgreSQL reports it blocked ({@code pg_blocking_pids}) is logged at WARN
 * once, with the blocking sessions' pids, states, transaction ages, applications and queries, and how to
 * end them; when the call finally returns, an INFO says how long it waited.
 *
 * <p>What can block the storage: appends take the store's advisory lock, so a session holding it (an
 * append whose client hangs between statements, a migration, anyone calling
 * {@code pg_advisory_xact_lock} with the store's key) holds up every append of every instance; DDL on
 * the events table ({@code ALTER TABLE}, {@code VACUUM FULL}, {@code TRUNCATE}) holds up reads too. An
 * ordinary long transaction elsewhere holds up nothing: readers read committed positions, which become
 * visible in position order (docs/adr/0010-postgres-appends.md).
 */
final class StallWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);
    private static final String BLOCKERS = "SELECT a.pid, a.state, extract(epoch FROM clock_timestamp() - a.xact_start),"
            + " a.application_name, host(a.client_addr), left(a.query, 200)"
            + " FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids(?)) ORDER BY a.xact_start";

    /** A running call: its server process, when it began, what it does, and whether it was reported. */
    private static final class Call {
        final int pid;
        final long startNanos;
        final String what;
        volatile boolean reported;

        Call(int pid, long startNanos, String what) {
            this.pid = pid;
            this.startNanos = startNanos;
            this.what = what;
        }
    }

    private final String schema;
    private final long warnAfterNanos;
    private final HeadWatcher.ConnectionSource connections;
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;
    private final Thread thread;

    /**
     * @param schema the store's schema, for messages
     * @param warnAfter how long a blocked call runs before it is reported
     * @param connections where to borrow a connection to ask who blocks a call (one beside the pool,
     *     whose connections may all be waiting)
     */
    StallWatch(String schema, Duration warnAfter, HeadWatcher.ConnectionSource connections) {
        this.schema = schema;
        this.warnAfterNanos = warnAfter.toNanos();
        this.connections = connections;
        this.thread = new Thread(this::run, "rewind-postgres-stall-watch-" + schema);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param c the connection the call runs on
     * @param what what it does, for messages ("appending 10 events to stream 'order-1'")
     * @return the call's key for {@link #end}
     */
    long begin(Connection c, String what) {
        long id = ids.incrementAndGet();
        calls.put(id, new Call(pid(c), System.nanoTime(), what));
        return id;
    }

    /** The call {@code id} returned (or failed). */
    void end(long id) {
        Call call = calls.remove(id);
        if (call != null && call.reported) {
            LOG.info("PostgreSQL storage (schema '{}'): {} went on after waiting {}", schema, call.what,
                    seconds(System.nanoTime() - call.startNanos));
        }
    }

    private static int pid(Connection c) {
        try {
            return c.unwrap(PGConnection.class).getBackendPID();
        } catch (SQLException | RuntimeException e) {
            return -1; // a DataSource whose connections do not unwrap to PostgreSQL's: nothing to name
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, 1_000_000_000L);
            long now = System.nanoTime();
            for (Call call : calls.values()) {
                if (!call.reported && call.pid > 0 && now - call.startNanos >= warnAfterNanos) {
                    report(call, now);
                }
            }
        }
    }

    private void report(Call call, long now) {
        List<String> blockers = new ArrayList<>();
        Connection c = null;
        try {
            c = connections.open();
            try (PreparedStatement q = c.prepareStatement(BLOCKERS)) {
                q.setInt(1, call.pid);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        blockers.add(String.format(Locale.ROOT, "backend pid %d (state '%s', transaction open for %s,"
                                        + " application '%s', client %s, query '%s')", rs.getInt(1), rs.getString(2),
                                rs.getObject(3) == null ? "-" : seconds((long) (rs.getDouble(3) * 1e9)),
                                rs.getString(4), rs.getString(5) == null ? "local" : rs.getString(5),
                                rs.getString(6)));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("cannot ask PostgreSQL who blocks backend pid {}: {}", call.pid, e.getMessage());
            return; // asked again at the next tick
        } finally {
            if (c != null) {
                try {
                    connections.release(c);
                } catch (SQLException e) {
                    LOG.debug("releasing the stall watch's connection: {}", e.getMessage());
                }
            }
        }
        if (blockers.isEmpty()) {
            return; // slow, not blocked: nothing to name
        }
        call.reported = true;
        LOG.warn("PostgreSQL storage (schema '{}'): {} (backend pid {}) has waited {} for {}; it goes on when that"
                        + " transaction ends (end it with SELECT pg_terminate_backend(pid) if it is stuck)", schema,
                call.what, call.pid, seconds(now - call.startNanos), String.join(" and ", blockers));
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
