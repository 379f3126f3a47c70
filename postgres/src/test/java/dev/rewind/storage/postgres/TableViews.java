package dev.rewind.storage.postgres;

import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.CreateTables;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A table projection for the tests of docs/adr/0016-table-projections.md, shared by the in-JVM tests and
 * the child JVMs: one row per event in {@code tv_rows} (with the id of the transaction that wrote it), and a
 * total per counter in {@code tv_totals}; plus what checks them against the store.
 */
final class TableViews {
    static final String NAME = "table_views";

    /** Makes the next handler calls at {@link #failAt} throw, {@link #failures} times. */
    static final AtomicLong failAt = new AtomicLong(-1);
    static final AtomicInteger failures = new AtomicInteger();
    /** The transaction ids of the handler calls that threw (their rows must never be committed). */
    static final Set<Long> failedXids = ConcurrentHashMap.newKeySet();
    /** The transaction id of every handler call. */
    static final Set<Long> xids = ConcurrentHashMap.newKeySet();
    /** The worker thread whose handler blocks on {@link #paused}, or null. */
    static final AtomicReference<Thread> pauseThread = new AtomicReference<>();
    static volatile CountDownLatch paused = new CountDownLatch(0);
    static volatile CountDownLatch inPause = new CountDownLatch(0);
    /** The transaction id of the call that paused. */
    static final AtomicLong pausedXid = new AtomicLong(-1);
    /** The server process of the call that paused. */
    static final AtomicLong pausedPid = new AtomicLong(-1);
    /** A rebuild's handler call at this position blocks until {@link #rebuildRelease} (after {@link #rebuildBlocked}). */
    static final AtomicLong blockRebuildAt = new AtomicLong(-1);
    static volatile CountDownLatch rebuildBlocked = new CountDownLatch(0);
    static volatile CountDownLatch rebuildRelease = new CountDownLatch(0);

    private TableViews() {
    }

    /** An amount added to a counter. */
    @Event(name = "TableCounted")
    public record Counted(String counter, long amount) {
    }

    /** The view: rows and totals in tables of the store's schema (the connection's search path). */
    @Projection(NAME)
    public static class Rows {
        /** The view's tables (a plain index on event_id: a duplicate must show, not fail). */
        @CreateTables
        static void tables(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS tv_rows (event_id uuid NOT NULL, position bigint NOT NULL,"
                        + " counter text NOT NULL, amount bigint NOT NULL, xid bigint NOT NULL,"
                        // the instance that wrote the row: child JVMs name their connections by their instance id
                        + " writer text NOT NULL DEFAULT current_setting('application_name'))");
                st.execute("CREATE INDEX IF NOT EXISTS tv_rows_event ON tv_rows (event_id)");
                st.execute("CREATE TABLE IF NOT EXISTS tv_totals (counter text PRIMARY KEY, total bigint NOT NULL,"
                        + " events bigint NOT NULL)");
            }
        }

        @EventHandler
        void on(Counted e, StoredEvent<?> stored, Connection c) throws SQLException, InterruptedException {
            long xid;
            long pid;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT txid_current(), pg_backend_pid()")) {
                rs.next();
                xid = rs.getLong(1);
                pid = rs.getLong(2);
            }
            xids.add(xid);
            try (PreparedStatement q = c.prepareStatement(
                    "INSERT INTO tv_rows (event_id, position, counter, amount, xid) VALUES (?, ?, ?, ?, ?)")) {
                q.setObject(1, stored.eventId());
                q.setLong(2, stored.globalPosition());
                q.setString(3, e.counter());
                q.setLong(4, e.amount());
                q.setLong(5, xid);
                q.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement("INSERT INTO tv_totals (counter, total, events) VALUES (?, ?, 1)"
                    + " ON CONFLICT (counter) DO UPDATE SET total = tv_totals.total + EXCLUDED.total,"
                    + " events = tv_totals.events + 1")) {
                q.setString(1, e.counter());
                q.setLong(2, e.amount());
                q.executeUpdate();
            }
            if (Thread.currentThread() == pauseThread.get()) {
                pausedXid.set(xid);
                pausedPid.set(pid);
                inPause.countDown();
                paused.await(); // this instance's worker is frozen mid-batch, as in a GC pause
            }
            if (blockRebuildAt.get() == stored.globalPosition() && Thread.currentThread().getName().startsWith("rewind-rebuild-")) {
                rebuildBlocked.countDown();
                rebuildRelease.await(); // the rebuild is frozen mid-way, with its batch's transaction open
            }
            if (failAt.get() == stored.globalPosition() && failures.getAndDecrement() > 0) {
                failedXids.add(xid);
                throw new IllegalStateException("simulated failure at position " + stored.globalPosition());
            }
        }

        /** @return nothing in memory: the view is in the tables */
        @QueryState
        public String state() {
            return "see tv_rows and tv_totals";
        }
    }

    static void reset() {
        failAt.set(-1);
        failures.set(0);
        failedXids.clear();
        xids.clear();
        pauseThread.set(null);
        paused = new CountDownLatch(0);
        inPause = new CountDownLatch(0);
        pausedXid.set(-1);
        pausedPid.set(-1);
        blockRebuildAt.set(-1);
        rebuildBlocked = new CountDownLatch(0);
        rebuildRelease = new CountDownLatch(0);
    }

    /** Creates the view's tables in the schema without Rewind (its {@link CreateTables} method, by hand). */
    static void createTables(String schema) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("SET search_path TO " + PostgresSettings.quote(schema));
            Rows.tables(c);
        }
    }

    static Rewind.Builder builder(PostgresStorage storage, String instanceId, ProjectionSettings settings) {
        return builder(storage, instanceId, settings, Rows.class);
    }

    static Rewind.Builder builder(PostgresStorage storage, String instanceId, ProjectionSettings settings,
                                  Class<?> projection) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).projection(projection)
                .projectionSettings(NAME, settings).instanceId(instanceId).leaseDuration(Duration.ofSeconds(1));
    }

    static ProjectionSettings settings(int batchSize, FailurePolicy policy) {
        return ProjectionSettings.async().batchSize(batchSize).linger(Duration.ZERO).failurePolicy(policy);
    }

    /** What the tables say, and what the store says they must say. */
    record Comparison(long events, long rows, long distinctRows, long duplicated, Map<String, Long> totals,
                      Map<String, Long> expectedTotals, Map<String, Long> counts, Map<String, Long> expectedCounts,
                      long missing) {
        boolean exact() {
            return rows == events && distinctRows == events && duplicated == 0 && missing == 0
                    && totals.equals(expectedTotals) && counts.equals(expectedCounts);
        }
    }

    /** Compares the tables with every event of the store (all of them are {@link Counted}). */
    static Comparison compare(Rewind rewind, String schema) throws SQLException {
        Map<UUID, Counted> events = new HashMap<>();
        Map<String, Long> expectedTotals = new TreeMap<>();
        Map<String, Long> expectedCounts = new TreeMap<>();
        long from = 0;
        while (true) {
            List<StoredEvent<?>> page = rewind.store().readAll(from, 1000);
            if (page.isEmpty()) {
                break;
            }
            for (StoredEvent<?> e : page) {
                Counted c = (Counted) e.payload();
                events.put(e.eventId(), c);
                expectedTotals.merge(c.counter(), c.amount(), Long::sum);
                expectedCounts.merge(c.counter(), 1L, Long::sum);
                from = e.globalPosition() + 1;
            }
        }
        String s = PostgresSettings.quote(schema);
        long rows;
        long distinct;
        long duplicated;
        long missing = 0;
        Map<String, Long> totals = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT event_id) FROM " + s + ".tv_rows")) {
                rs.next();
                rows = rs.getLong(1);
                distinct = rs.getLong(2);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT event_id FROM " + s + ".tv_rows"
                    + " GROUP BY event_id HAVING count(*) > 1) d")) {
                rs.next();
                duplicated = rs.getLong(1);
            }
            Set<UUID> seen = new java.util.HashSet<>();
            try (ResultSet rs = st.executeQuery("SELECT event_id FROM " + s + ".tv_rows")) {
                while (rs.next()) {
                    seen.add(rs.getObject(1, UUID.class));
                }
            }
            for (UUID id : events.keySet()) {
                if (!seen.contains(id)) {
                    missing++;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT counter, total, events FROM " + s + ".tv_totals")) {
                while (rs.next()) {
                    totals.put(rs.getString(1), rs.getLong(2));
                    counts.put(rs.getString(1), rs.getLong(3));
                }
            }
        }
        return new Comparison(events.size(), rows, distinct, duplicated, totals, expectedTotals, counts, expectedCounts,
                missing);
    }

    /**
     * A child JVM that appends and projects until it is killed: opens the store with the table projection
     * (owned by a fixed instance id, so a restart takes its own lease at once), prints "READY", then appends
     * small batches of {@link Counted} and prints "APPENDED total" after each. With "drain" as its mode it
     * appends nothing, waits (bounded) until the projection has handled every stored event, and prints
     * "DRAINED position". With "rebuild" it starts a rebuild that freezes at the position given instead of a
     * seed and prints "REBUILD BLOCKED", to be killed there. Arguments: schema, seed (or position), mode
     * ("append", "drain" or "rebuild").
     */
    static final class Child {
        public static void main(String[] args) throws Exception {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            String schema = args[0];
            Random random = new Random(Long.parseLong(args[1]));
            PostgresStorage storage = TestDatabase.builder(schema).build();
            Rewind rewind = builder(storage, "table-child", settings(25, FailurePolicy.stop())).build();
            if (args[2].equals("rebuild")) {
                // rebuilds, and freezes the rebuild at a seeded position for the parent to kill it there
                blockRebuildAt.set(Long.parseLong(args[1]));
                rebuildBlocked = new CountDownLatch(1);
                rebuildRelease = new CountDownLatch(1);
                Polls.until(() -> rewind.projections().status(NAME).ownedHere(), Duration.ofSeconds(30), "the child to own it");
                rewind.projections().startRebuild(NAME);
                if (!rebuildBlocked.await(60, TimeUnit.SECONDS)) {
                    out.println("NOT BLOCKED " + rewind.projections().status(NAME));
                    System.exit(1);
                }
                out.println("REBUILD BLOCKED");
                rebuildRelease.await(120, TimeUnit.SECONDS); // killed meanwhile
                System.exit(1);
            }
            out.println("READY");
            if (args[2].equals("drain")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() < deadline) {
                    ProjectionStatus st = rewind.projections().status(NAME);
                    if (st.ownedHere() && st.lastPosition() == storage.nextPosition() - 1) {
                        out.println("DRAINED " + st.lastPosition());
                        rewind.close();
                        System.exit(0);
                    }
                    LockSupport.parkNanos(50_000_000L); // a bounded poll of the projection's progress
                }
                out.println("NOT DRAINED " + rewind.projections().status(NAME));
                System.exit(1);
            }
            long appended = 0;
            while (true) {
                List<Counted> batch = new ArrayList<>();
                int n = 1 + random.nextInt(8);
                for (int i = 0; i < n; i++) {
                    batch.add(new Counted("c" + random.nextInt(5), 1 + random.nextInt(100)));
                }
                rewind.store().append("counter-" + random.nextInt(20), ExpectedVersion.any(), batch);
                appended += n;
                out.println("APPENDED " + appended);
            }
        }
    }
}
