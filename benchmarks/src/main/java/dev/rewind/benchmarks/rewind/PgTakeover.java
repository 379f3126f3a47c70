package dev.rewind.benchmarks.rewind;

import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.benchmarks.Iteration;
import dev.rewind.benchmarks.Measure;
import dev.rewind.benchmarks.Peer;
import dev.rewind.benchmarks.Phase;
import dev.rewind.benchmarks.Pg;
import dev.rewind.benchmarks.Stats;
import dev.rewind.benchmarks.workload.OrderTotalsTable;
import dev.rewind.benchmarks.workload.Workload;
import dev.rewind.benchmarks.workload.Workload.Order;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.storage.postgres.PostgresStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Take-over time after the owner is SIGKILLed (docs/adr/0015-projection-ownership.md). Two {@link PgPeers}
 * {@code owner} JVMs run the same Rewind on one store with three owned projections (the {@code order_totals}
 * table projection, and the in-memory views and revenue, asynchronous and owned) under the default lease
 * (3 s), while a writer here appends whole orders at {@code bench.pg.takeover.rate} events/s (default 1000).
 * Owned runners spread over the live instances (ADR 0018), so the two hold two and one of the three leases.
 * Each round waits until both JVMs have handled what was stored, SIGKILLs the one holding more leases, and
 * measures, from the kill:
 * <ul>
 *   <li>until the other JVM holds every lease: {@code rewind_leases} polled from here every
 *       {@value #POLL_MILLIS} ms (the phase's figure: the median over the rounds);</li>
 *   <li>until every projection in the other JVM processed an event past the head at the kill: that JVM polls
 *       its own status every {@value #POLL_MILLIS} ms and reports the wall-clock time (both JVMs read the
 *       machine's clock, as the tailing phase does).</li>
 * </ul>
 * then restarts the killed JVM, which joins and takes its share back, for the next round; {@code bench.pg.takeover.rounds} rounds
 * (default 6) per iteration, on a fresh schema, and no warm-up iteration ({@link Phase#warmsUp}). At the end
 * the writer stops, the owner drains, and the table must equal the totals the store's events imply: every
 * event's effect once, across every kill.
 */
public final class PgTakeover {
    /** The owned projections both instances run. */
    static final List<String> NAMES = List.of(RewindOrderTotals.NAME, RewindViews.NAME, RevenueOnly.NAME);
    /** How often the leases are polled here and each instance polls its projections' progress. */
    static final long POLL_MILLIS = 10;
    /** The extras key of the largest take-over (all leases) over every round run in this JVM. */
    public static final String MAX_LEASES = "take-over: all leases held by the other JVM, max over the rounds, ms";
    /** The extras key of the largest time until every projection passed the head at the kill. */
    public static final String MAX_ADVANCED = "take-over: every projection past the head at the kill, max over the rounds, ms";
    /** The extras key of the median of the same. */
    public static final String P50_ADVANCED = "take-over: every projection past the head at the kill, p50 over the rounds, ms";
    private static final String[] IDS = {"takeover-a", "takeover-b"};
    private static final long WAIT_SECONDS = 120;
    private final Map<String, Double> extras;
    private final List<Double> leaseTimes = new ArrayList<>();
    private final List<Double> advanceTimes = new ArrayList<>();
    private final Map<String, List<Double>> projectionTimes = new TreeMap<>();
    private int iterations;

    PgTakeover(Map<String, Double> extras) {
        this.extras = extras;
    }

    /**
     * The instance both JVMs run: the three projections owned, the lease at its default.
     *
     * @param storage a store on the phase's schema
     * @param instanceId this JVM's instance id
     * @return the started instance
     */
    static Rewind instance(PostgresStorage storage, String instanceId) {
        ProjectionSettings owned = ProjectionSettings.async().owned();
        return RewindSide.builder().storage(storage).instanceId(instanceId)
                .projection(RewindOrderTotals.class).projection(RewindViews.class).projection(RevenueOnly.class)
                .projectionSettings(RewindOrderTotals.NAME, ProjectionSettings.async())
                .projectionSettings(RewindViews.NAME, owned).projectionSettings(RevenueOnly.NAME, owned)
                .build();
    }

    /** @return one iteration: {@code bench.pg.takeover.rounds} kills on a fresh schema; its figure, their median */
    Iteration iteration() {
        int rounds = Integer.getInteger("bench.pg.takeover.rounds", 6);
        int rate = Integer.getInteger("bench.pg.takeover.rate", 1000);
        List<Order> orders = Workload.orders(100_000);
        return () -> {
            int iteration = ++iterations;
            String schema = Pg.schema("bench_takeover");
            Pg.freshSchema(schema);
            List<Double> leases = new ArrayList<>();
            Peer[] peers = new Peer[2];
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            try (Rewind writer = RewindSide.builder().storage(PgPhases.storage(schema, 2)).build(); // creates the schema's tables
                 Connection db = Pg.connect(schema)) {
                OrderTotalsTable.create(db);
                EventStore store = writer.store();
                peers[0] = start(schema, 0);
                awaitHolder(db, IDS[0], System.nanoTime(), "the first instance to take every lease");
                peers[1] = start(schema, 1);
                awaitSpread(db); // the second instance joined: the placement moved its share of the leases to it
                Thread appender = new Thread(() -> append(store, orders, rate, "t" + iteration, stop, writerFailed),
                        "takeover-writer");
                appender.start();
                try {
                    for (int round = 1; round <= rounds; round++) {
                        int owner = holder(db);
                        int other = 1 - owner;
                        // the owner is live when killed: it has handled what was stored a moment ago (and the writer has
                        // appended something, in the first round), so a round measures the take-over, not a backlog
                        live(peers, Math.max(0, store.nextPosition() - 1));
                        long head = store.nextPosition() - 1;
                        long killedMicros = PgPeers.nowMicros();
                        long killed = System.nanoTime();
                        peers[owner].kill(); // SIGKILL: no release, no last checkpoint
                        peers[other].send("WATCH " + (head + 1));
                        double leaseMs = awaitHolder(db, IDS[other], killed, "instance " + IDS[other]
                                + " to hold every lease after " + IDS[owner] + " was killed");
                        String[] advanced = peers[other].await("ADVANCED", WAIT_SECONDS).split(" ");
                        double advanceMs = (Long.parseLong(advanced[2]) - killedMicros) / 1000.0;
                        StringBuilder each = new StringBuilder();
                        for (int i = 3; i < advanced.length; i++) {
                            String[] nameAt = advanced[i].split("=");
                            double ms = (Long.parseLong(nameAt[1]) - killedMicros) / 1000.0;
                            each.append(String.format(Locale.ROOT, "%s %.0f ms, ", nameAt[0], ms));
                            projectionTimes.computeIfAbsent(nameAt[0], k -> new ArrayList<>()).add(ms);
                        }
                        System.err.printf(Locale.ROOT, "  take-over %d.%d: %s killed at head %d; %s held every lease after"
                                + " %.0f ms; past the head: %severy projection %.0f ms%n", iteration, round, IDS[owner],
                                head, IDS[other], leaseMs, each, advanceMs);
                        extras.put("iteration " + iteration + " round " + round + ": all leases held by the other JVM, ms", leaseMs);
                        extras.put("iteration " + iteration + " round " + round + ": every projection past the head at the kill, ms",
                                advanceMs);
                        leases.add(leaseMs);
                        leaseTimes.add(leaseMs);
                        advanceTimes.add(advanceMs);
                        peers[owner] = start(schema, owner); // it joins, and its share of the leases moves back to it
                        awaitSpread(db);
                        if (writerFailed.get() != null) {
                            throw new IllegalStateException("the take-over writer failed", writerFailed.get());
                        }
                    }
                } finally {
                    stop.set(true);
                    appender.join();
                }
                if (writerFailed.get() != null) {
                    throw new IllegalStateException("the take-over writer failed", writerFailed.get());
                }
                long last = store.nextPosition() - 1;
                live(peers, last);
                OrderTotalsTable.requireEqual(OrderTotalsTable.totals(db, "take-over"), RewindSide.readBack(store).totals(),
                        "take-over, after " + rounds + " SIGKILLs (" + (last + 1) + " events)");
            } finally {
                for (Peer p : peers) {
                    if (p != null) {
                        p.close();
                    }
                }
            }
            Stats all = Stats.of(leaseTimes);
            Stats advance = Stats.of(advanceTimes);
            extras.put(MAX_LEASES, all.max());
            extras.put("take-over: all leases held by the other JVM, p50 over the rounds, ms", all.median());
            extras.put(P50_ADVANCED, advance.median());
            extras.put(MAX_ADVANCED, advance.max());
            extras.put("take-over rounds", (double) leaseTimes.size());
            projectionTimes.forEach((name, times) -> extras.put("take-over: " + name + " past the head at the kill, p50 over"
                    + " the rounds, ms", Stats.of(times).median()));
            return Stats.of(leases).median();
        };
    }

    private static Peer start(String schema, int which) throws Exception {
        Peer peer = new Peer(PgPeers.class, "owner", schema, IDS[which]);
        peer.await("READY", WAIT_SECONDS);
        return peer;
    }

    /** Appends whole orders as new streams at about {@code rate} events/s until told to stop. */
    private static void append(EventStore store, List<Order> orders, int rate, String prefix, AtomicBoolean stop,
            AtomicReference<Throwable> failed) {
        long every = TimeUnit.SECONDS.toNanos(Workload.EVENTS_PER_ORDER) / rate;
        long next = System.nanoTime();
        try {
            for (int k = 0; !stop.get(); k++) {
                Order o = orders.get(k % orders.size());
                store.append(prefix + "-" + k, ExpectedVersion.noStream(), o.events());
                next += every;
                LockSupport.parkNanos(next - System.nanoTime()); // the writer's pace, not a wait for something
            }
        } catch (Throwable t) {
            failed.set(t);
        }
    }

    /** Waits until each instance has handled {@code position} in the projections it owns. */
    private static void live(Peer[] peers, long position) throws Exception {
        for (Peer p : peers) {
            p.send("LIVE " + position);
        }
        for (Peer p : peers) {
            p.await("LIVE", WAIT_SECONDS);
        }
    }

    /** Polls until both instances hold leases, every lease held: owned runners spread over the live instances. */
    private static void awaitSpread(Connection db) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            Map<String, Integer> held = leases(db);
            int a = held.getOrDefault(IDS[0], 0);
            int b = held.getOrDefault(IDS[1], 0);
            if (a > 0 && b > 0 && a + b == NAMES.size()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("waited " + WAIT_SECONDS + " s for the leases to spread over both"
                        + " instances; leases held: " + held);
            }
            Measure.pause(POLL_MILLIS);
        }
    }

    /** @return which of {@link #IDS} holds the most unexpired leases of {@link #NAMES} */
    private static int holder(Connection db) throws SQLException {
        Map<String, Integer> held = leases(db);
        int a = held.getOrDefault(IDS[0], 0);
        int b = held.getOrDefault(IDS[1], 0);
        if (a + b == 0) {
            throw new IllegalStateException("no instance holds a lease of " + NAMES);
        }
        return a >= b ? 0 : 1;
    }

    /** @return instance id to how many unexpired leases of {@link #NAMES} it holds (by the server's clock) */
    private static Map<String, Integer> leases(Connection db) throws SQLException {
        Map<String, Integer> held = new HashMap<>();
        try (PreparedStatement q = db.prepareStatement("SELECT name, owner FROM rewind_leases"
                + " WHERE expires_at > clock_timestamp()");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                if (NAMES.contains(rs.getString(1))) {
                    held.merge(rs.getString(2), 1, Integer::sum);
                }
            }
        }
        return held;
    }

    /**
     * Polls {@code rewind_leases} every {@value #POLL_MILLIS} ms until {@code instanceId} holds every lease.
     *
     * @return milliseconds from {@code sinceNanos} to the poll that saw it
     */
    private static double awaitHolder(Connection db, String instanceId, long sinceNanos, String waitingFor) throws SQLException {
        long deadline = sinceNanos + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (leases(db).getOrDefault(instanceId, 0) < NAMES.size()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("waited " + WAIT_SECONDS + " s for " + waitingFor + "; leases held: " + leases(db));
            }
            Measure.pause(POLL_MILLIS);
        }
        return (System.nanoTime() - sinceNanos) / 1e6;
    }
}
