package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Polls;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.internal.projection.Placement;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.projection.InstanceMember;
import dev.rewind.spi.projection.InstanceMembership;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Owned projections spread over the instances sharing a store, and move when one joins or leaves
 * (docs/adr/0018-spreading-owned-runners.md): four owned projections on two instances (two
 * {@code Rewind}s on one schema in this JVM) end where {@link Placement} puts them, two each; a third
 * instance joins while events are appended and takes its share by clean hand-overs, each lease moved once,
 * with no event applied twice or skipped; an instance that closes, or a child JVM that is SIGKILLed
 * (its membership and leases just expire), has its projections taken by the others within the take-over
 * bound; a lease its placed instance leaves free is taken after a grace period and kept, not moved back
 * and forth; a table projection handed over while events are appended has each event's row exactly once.
 */
class SpreadOwnershipTest {
    private static final String SCHEMA = TestDatabase.schema("spread");
    @RegisterExtension
    static final TestSchemas SCHEMAS = TestSchemas.dropping(SCHEMA);
    private static final Duration LEASE = Duration.ofMillis(600);
    /** Take-over bound: expiry (one lease) plus one poll (a third), and slack for a loaded machine. */
    private static final Duration TAKE_OVER = LEASE.multipliedBy(4).dividedBy(3).plusSeconds(3);
    static final List<String> NAMES = List.of("spread_1", "spread_2", "spread_3", "spread_4");

    /** Per projection, per global position: handler calls on the instances of this JVM. */
    static final Map<String, Map<Long, AtomicInteger>> APPLIED = new ConcurrentHashMap<>();

    /** An amount added to a counter. */
    @Event(name = "SpreadCounted")
    public record Counted(String counter, long by) {
    }

    /**
     * What the four projections do alike, each under the name its {@code @Projection} gives it: count each
     * handler call by position, and sum.
     */
    public abstract static class Sums {
        private final Map<String, Long> sums = new TreeMap<>();

        @EventHandler
        void on(Counted e, StoredEvent<?> stored) {
            String name = getClass().getAnnotation(Projection.class).value();
            APPLIED.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                    .computeIfAbsent(stored.globalPosition(), p -> new AtomicInteger()).incrementAndGet();
            sums.merge(e.counter(), e.by(), Long::sum);
        }

        /** @return the sums */
        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(sums);
        }
    }

    /** The first projection. */
    @Projection("spread_1")
    public static class One extends Sums {
    }

    /** The second projection. */
    @Projection("spread_2")
    public static class Two extends Sums {
    }

    /** The third projection. */
    @Projection("spread_3")
    public static class Three extends Sums {
    }

    /** The fourth projection. */
    @Projection("spread_4")
    public static class Four extends Sums {
    }

    /** The runtime's runner logs hand-overs and take-overs at INFO. */
    @RegisterExtension
    final LogCapture runnerLog = new LogCapture(runnerClass(), Level.INFO);

    private static Class<?> runnerClass() {
        try {
            return Class.forName("dev.rewind.internal.projection.Runner"); // package-private: only its logger is used
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void fresh() {
        TestDatabase.dropSchema(SCHEMA);
        APPLIED.clear();
    }

    static Rewind start(String instanceId) {
        Rewind.Builder b = Rewind.builder().discoverPlugins(false).storage(TestDatabase.builder(SCHEMA).build())
                .eventTypes(Counted.class).projection(One.class).projection(Two.class).projection(Three.class)
                .projection(Four.class).instanceId(instanceId).leaseDuration(LEASE);
        for (String name : NAMES) {
            b.projectionSettings(name, ProjectionSettings.async().owned().snapshotEvery(1, Duration.ZERO).batchSize(10)
                    .linger(Duration.ZERO));
        }
        return b.build();
    }

    @Test
    void four_projections_spread_two_and_two_and_a_third_instance_takes_its_share_without_an_event_twice_or_skipped()
            throws Exception {
        Map<String, Rewind> instances = new TreeMap<>();
        try {
            instances.put("spread-a", start("spread-a"));
            instances.put("spread-b", start("spread-b"));
            Map<String, String> two = placement("spread-a", "spread-b");
            assertThat(count(two, "spread-a")).isEqualTo(2);
            assertThat(count(two, "spread-b")).isEqualTo(2);
            awaitOwners(instances, two, Duration.ofSeconds(10), "the placement on two instances");
            List<AppendResult> appended = new ArrayList<>();
            appended.add(add(instances.get("spread-a"), "x", 40));

            Map<String, Long> tokensOnTwo = tokens();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            List<AppendResult> during = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread writer = new Thread(() -> {
                try {
                    Rewind w = instances.get("spread-b");
                    while (writing.get() && during.size() < 500) {
                        during.add(add(w, "y", 3)); // as fast as the database takes them, while the owners move
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "spread-writer");
            writer.start();
            Map<String, String> three;
            try {
                instances.put("spread-c", start("spread-c"));
                three = placement("spread-a", "spread-b", "spread-c");
                assertThat(new ArrayList<>(counts(three).values())).containsExactlyInAnyOrder(2, 1, 1);
                awaitOwners(instances, three, Duration.ofSeconds(10), "the placement on three instances");
            } finally {
                writing.set(false);
                writer.join(10_000);
            }
            assertThat(writerFailed.get()).isNull();
            appended.addAll(during);
            appended.add(add(instances.get("spread-c"), "x", 20));

            long last = appended.get(appended.size() - 1).lastPosition();
            for (String name : NAMES) {
                Rewind owner = instances.get(three.get(name));
                Map<String, Long> sums = owner.projections().state(name, ReadPoint.atLeast(last).within(Duration.ofSeconds(20)));
                assertThat(sums).as(name).isEqualTo(expectedSums(appended));
                assertThat(owner.projections().verify(name).ok()).as("verify %s", name).isTrue();
            }
            Set<Long> positions = positions(appended);
            for (String name : NAMES) {
                Map<Long, AtomicInteger> calls = APPLIED.getOrDefault(name, Map.of());
                assertThat(calls.keySet()).as("%s: every event applied, nothing else", name).isEqualTo(positions);
                assertThat(calls.values().stream().filter(c -> c.get() != 1).count()).as("%s: events applied twice", name)
                        .isZero();
            }
            // each lease moved at most once for the join: a hand-over to spread-c adds one grant, nothing else does
            Map<String, Long> tokensOnThree = tokens();
            List<String> info = runnerLog.messages(Level.INFO);
            for (String name : NAMES) {
                long moves = tokensOnThree.get(name) - tokensOnTwo.get(name);
                String from = two.get(name);
                String to = three.get(name);
                assertThat(moves).as("%s moved from %s to %s", name, from, to).isEqualTo(from.equals(to) ? 0 : 1);
                if (!from.equals(to)) { // both instance ids in both messages
                    assertThat(info).as("the hand-over of %s", name).anyMatch(m -> m.startsWith("projection '" + name
                            + "': instance '" + from + "' hands it over to instance '" + to + "' after position"));
                    assertThat(info).as("the take-over of %s", name).anyMatch(m -> m.startsWith("projection '" + name
                            + "': instance '" + to + "' takes over from instance '" + from + "'"));
                }
            }
            // and it stays put while nothing changes: several membership renewals and polls, no grant
            holdsFor(() -> tokens().equals(tokensOnThree) && owners().equals(three), LEASE.multipliedBy(3),
                    "the leases to stay where they are");
        } finally {
            instances.values().forEach(Rewind::close);
        }
    }

    @Test
    void the_projections_of_an_instance_that_closes_move_to_the_others_within_the_take_over_time() {
        Map<String, Rewind> instances = new TreeMap<>();
        try {
            for (String id : List.of("spread-a", "spread-b", "spread-c")) {
                instances.put(id, start(id));
            }
            Map<String, String> three = placement("spread-a", "spread-b", "spread-c");
            awaitOwners(instances, three, Duration.ofSeconds(10), "the placement on three instances");
            List<AppendResult> appended = new ArrayList<>();
            appended.add(add(instances.get("spread-a"), "x", 25));
            String leaving = busiest(three);
            Rewind closing = instances.remove(leaving);
            long closedAt = System.nanoTime();
            closing.close(); // saves, leaves the membership and releases its leases
            List<String> staying = new ArrayList<>(instances.keySet());
            Map<String, String> two = placement(staying.toArray(new String[0]));
            awaitOwners(instances, two, TAKE_OVER, "the placement on the two left");
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(TAKE_OVER);

            appended.add(add(instances.get(staying.get(0)), "x", 5));
            long last = appended.get(appended.size() - 1).lastPosition();
            for (String name : NAMES) {
                Rewind owner = instances.get(two.get(name));
                assertThat(owner.projections().<Map<String, Long>>state(name, ReadPoint.atLeast(last).within(Duration.ofSeconds(20))))
                        .as(name).isEqualTo(expectedSums(appended));
                assertThat(owner.projections().verify(name).ok()).isTrue();
                assertThat(APPLIED.get(name).values().stream().filter(c -> c.get() != 1).count())
                        .as("%s: events applied twice across the close", name).isZero();
                assertThat(APPLIED.get(name).keySet()).isEqualTo(positions(appended));
            }
        } finally {
            instances.values().forEach(Rewind::close);
        }
    }

    @Test
    void the_projections_of_a_sigkilled_instance_move_to_the_others_once_its_membership_and_leases_expire() throws Exception {
        Map<String, Rewind> instances = new TreeMap<>();
        try (ChildJvm child = new ChildJvm("instance spread-c", Child.class, SCHEMA, "spread-c", Long.toString(LEASE.toMillis()))) {
            instances.put("spread-a", start("spread-a"));
            instances.put("spread-b", start("spread-b"));
            child.await("READY", 60);
            Map<String, String> three = placement("spread-a", "spread-b", "spread-c");
            awaitOwners(instances, three, Duration.ofSeconds(15), "the placement on three instances, one a child JVM");
            List<AppendResult> appended = new ArrayList<>();
            appended.add(add(instances.get("spread-a"), "x", 25));
            for (String name : NAMES) {
                if (three.get(name).equals("spread-c")) {
                    // the child processed them: its checkpoint is where the others resume
                    long last = appended.get(0).lastPosition();
                    Polls.until(() -> checkpointPosition(name) >= last, Duration.ofSeconds(20), name + " on the child");
                }
            }

            long killedAt = System.nanoTime();
            child.kill(); // SIGKILL: no leave, no release; its membership and leases expire
            Map<String, String> two = placement("spread-a", "spread-b");
            awaitOwners(instances, two, TAKE_OVER, "the placement on the two alive");
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("take-over after SIGKILL").isLessThan(TAKE_OVER);
            // the child's membership is gone for good; a live member whose heartbeat came late on a loaded machine
            // (the lease is 600 ms here) is missing from the list until its next one, so the list is polled
            Polls.until(() -> {
                List<String> members = memberIds(); // one query per check
                return members.size() == 2 && members.containsAll(List.of("spread-a", "spread-b"));
            }, TAKE_OVER, "the members to be the two alive");
            assertThat(memberIds()).doesNotContain("spread-c");

            appended.add(add(instances.get("spread-b"), "x", 5));
            long last = appended.get(appended.size() - 1).lastPosition();
            for (String name : NAMES) {
                Rewind owner = instances.get(two.get(name));
                assertThat(owner.projections().<Map<String, Long>>state(name, ReadPoint.atLeast(last).within(Duration.ofSeconds(20))))
                        .as(name).isEqualTo(expectedSums(appended));
                assertThat(owner.projections().verify(name).ok()).as("verify %s", name).isTrue();
            }
        } finally {
            instances.values().forEach(Rewind::close);
        }
    }

    @Test
    void a_lease_its_placed_instance_leaves_free_is_taken_after_the_grace_and_kept_until_the_membership_changes() {
        TestDatabase.builder(SCHEMA).build().close(); // creates the schema
        // a member that never takes a lease, as an instance whose workers are stuck would be
        execute("INSERT INTO " + SCHEMA + ".rewind_instances (instance_id, runners, joined_at, renewed_at, expires_at)"
                + " VALUES ('stuck', ARRAY['spread_1', 'spread_2', 'spread_3', 'spread_4'], now(), now(),"
                + " now() + interval '1 hour')");
        Map<String, String> withStuck = placement("spread-a", "stuck");
        assertThat(count(withStuck, "stuck")).isEqualTo(2);
        try (Rewind a = start("spread-a")) {
            long startedAt = System.nanoTime();
            Map<String, String> allOnA = placement("spread-a");
            awaitOwners(Map.of("spread-a", a), allOnA, Duration.ofSeconds(10), "instance spread-a to take all four");
            // a grace of one lease after it first saw them free, then its next poll; slack for a loaded machine
            assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(LEASE.multipliedBy(2).plusSeconds(3));
            for (Map.Entry<String, String> p : withStuck.entrySet()) {
                if (p.getValue().equals("stuck")) {
                    // the take-over is logged after the lease is held (the checkpoint is reloaded first): wait for it, bounded
                    Polls.until(() -> runnerLog.messages(Level.INFO).stream().anyMatch(m -> m.startsWith("projection '"
                            + p.getKey() + "': instance 'spread-a' owns it") && m.contains("it is placed on instance"
                            + " 'stuck', which left its lease free for more than the grace period")), Duration.ofSeconds(10),
                            "the log to say why " + p.getKey() + " was taken");
                }
            }
            Map<String, Long> taken = tokens();
            assertThat(taken.values()).containsOnly(1L);
            // the placement still says 'stuck', but a lease taken past the grace stays until the membership changes
            holdsFor(() -> tokens().equals(taken), LEASE.multipliedBy(3), "the fallback owner to keep the leases");
            execute("DELETE FROM " + SCHEMA + ".rewind_instances WHERE instance_id = 'stuck'");
            AppendResult added = add(a, "x", 5);
            for (String name : NAMES) {
                assertThat(a.projections().<Map<String, Long>>state(name, ReadPoint.atLeast(added)))
                        .isEqualTo(expectedSums(List.of(added)));
            }
            holdsFor(() -> tokens().equals(taken), LEASE.multipliedBy(2), "the leases to stay on spread-a, placed there now");
        }
    }

    @Test
    void a_table_projection_handed_over_to_the_instance_that_joins_writes_each_event_s_row_exactly_once() throws Exception {
        TableViews.reset();
        PostgresStorage storageFirst = TestDatabase.builder(SCHEMA).build();
        TableViews.createTables(SCHEMA);
        String placed = Placement.of(List.of(new InstanceMember("tables-a", Set.of(TableViews.NAME)),
                new InstanceMember("tables-b", Set.of(TableViews.NAME)))).assignee(TableViews.NAME);
        String first = placed.equals("tables-a") ? "tables-b" : "tables-a"; // starts alone, then hands it over
        ProjectionSettings settings = TableViews.settings(10, dev.rewind.projection.FailurePolicy.stop());
        try (Rewind a = TableViews.builder(storageFirst, first, settings).build()) {
            Polls.until(() -> a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10), first + " to own it");
            addTable(a, 30);
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> writerFailed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 300 && writing.get(); i++) {
                        addTable(a, 2);
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "tables-writer");
            try (Rewind b = TableViews.builder(TestDatabase.builder(SCHEMA).build(), placed, settings).build()) {
                writer.start();
                try {
                    Polls.until(() -> b.projections().status(TableViews.NAME).ownedHere()
                            && !a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10),
                            placed + " to take the table projection over from " + first);
                } finally {
                    writing.set(false);
                    writer.join(10_000);
                }
                assertThat(writerFailed.get()).isNull();
                AppendResult last = addTable(b, 5);
                Polls.until(() -> b.projections().status(TableViews.NAME).lastPosition() >= last.lastPosition(),
                        Duration.ofSeconds(20), "the table projection to reach the head");
                TableViews.Comparison cmp = TableViews.compare(b, SCHEMA);
                assertThat(cmp.exact()).as("the tables against the store: %s", cmp).isTrue();
                assertThat(b.projections().verify(TableViews.NAME).ok()).isTrue();
                assertThat(runnerLog.messages(Level.INFO)).anyMatch(m -> m.startsWith("projection '" + TableViews.NAME
                        + "': instance '" + first + "' hands it over to instance '" + placed + "'"));
            }
        }
    }

    private static AppendResult addTable(Rewind rewind, int events) {
        List<TableViews.Counted> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new TableViews.Counted("c" + (i % 3), i + 1));
        }
        return rewind.store().append("tables", ExpectedVersion.any(), batch);
    }

    /** The third instance in a child JVM: args schema, instance id, lease in ms. Prints READY once it joined. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            if (!args[0].equals(SCHEMA) || Long.parseLong(args[2]) != LEASE.toMillis()) {
                throw new IllegalArgumentException("the child runs with this test's schema and lease, got " + List.of(args));
            }
            try (Rewind rewind = start(args[1])) {
                System.out.println("READY " + rewind.projections().status(NAMES.get(0)).state());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // runs until SIGKILLed (or its input closes)
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> placement(String... ids) {
        List<InstanceMember> members = new ArrayList<>();
        for (String id : ids) {
            members.add(new InstanceMember(id, Set.copyOf(NAMES)));
        }
        return Placement.of(members).assignments();
    }

    private static Map<String, Integer> counts(Map<String, String> placement) {
        Map<String, Integer> counts = new TreeMap<>();
        placement.values().forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    private static int count(Map<String, String> placement, String id) {
        return counts(placement).getOrDefault(id, 0);
    }

    /** The instance with the most projections placed on it. */
    private static String busiest(Map<String, String> placement) {
        return counts(placement).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /**
     * Waits until every projection's lease is held by the instance the placement names, and the instances
     * of this JVM agree (the owner says it owns it, the others that they do not).
     */
    private static void awaitOwners(Map<String, Rewind> instances, Map<String, String> expected, Duration within,
                                    String what) {
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        try {
            Polls.until(() -> {
                Map<String, String> owners = owners();
                seen.set(owners);
                if (!owners.equals(expected)) {
                    return false;
                }
                for (Map.Entry<String, Rewind> i : instances.entrySet()) {
                    for (String name : NAMES) {
                        if (i.getValue().projections().status(name).ownedHere() != i.getKey().equals(expected.get(name))) {
                            return false;
                        }
                    }
                }
                return true;
            }, within, what + " " + expected);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the leases are held by " + seen.get(), e);
        }
    }

    /** Checks, every 20 ms for the given time, that a condition keeps holding (no event is awaited). */
    private static void holdsFor(java.util.function.BooleanSupplier condition, Duration time, String what) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() - end < 0) {
            assertThat(condition.getAsBoolean()).as(what).isTrue();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    private static AppendResult add(Rewind rewind, String counter, int events) {
        List<Counted> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new Counted(counter, i + 1));
        }
        return rewind.store().append("spread-" + counter, ExpectedVersion.any(), batch);
    }

    private static Map<String, Long> expectedSums(List<AppendResult> appended) {
        Map<String, Long> sums = new HashMap<>();
        for (AppendResult r : appended) {
            for (StoredEvent<?> e : r.events()) {
                Counted c = (Counted) e.payload();
                sums.merge(c.counter(), c.by(), Long::sum);
            }
        }
        return sums;
    }

    private static Set<Long> positions(List<AppendResult> appended) {
        Set<Long> positions = new TreeSet<>();
        for (AppendResult r : appended) {
            r.events().forEach(e -> positions.add(e.globalPosition()));
        }
        return positions;
    }

    /** Who holds each unexpired lease, by the server's clock. */
    private static Map<String, String> owners() {
        Map<String, String> owners = new TreeMap<>();
        query("SELECT name, owner FROM " + SCHEMA + ".rewind_leases WHERE expires_at > clock_timestamp()",
                rs -> owners.put(rs.getString(1), rs.getString(2)));
        return owners;
    }

    private static Map<String, Long> tokens() {
        Map<String, Long> tokens = new TreeMap<>();
        query("SELECT name, token FROM " + SCHEMA + ".rewind_leases", rs -> tokens.put(rs.getString(1), rs.getLong(2)));
        return tokens;
    }

    private static List<String> memberIds() {
        try (PostgresStorage storage = TestDatabase.builder(SCHEMA).build()) {
            List<String> ids = new ArrayList<>();
            ((InstanceMembership) storage.projectionStore()).members().forEach(m -> ids.add(m.instanceId()));
            return ids;
        }
    }

    private static void execute(String sql) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static long checkpointPosition(String name) {
        long[] position = {-1};
        query("SELECT position FROM " + SCHEMA + ".rewind_checkpoints WHERE name = '" + name + "'",
                rs -> position[0] = rs.getLong(1));
        return position[0];
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(String sql, Row row) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
