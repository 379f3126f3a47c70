package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.AppendResult;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An owned projection shared by two instances (two {@code Rewind}s on one schema, in one JVM): one processes
 * it, the other stands by serving the shared snapshot and naming the owner; a closed owner's lease is taken
 * over within the lease time; a paused owner (its worker stuck in a handler and its heartbeat stuck, as in a
 * GC pause or SIGSTOP) finds its fenced save refused once the other took over, writes nothing, and steps down;
 * a renewal that fails (the owner's connection killed) makes the owner step down and the other take over.
 * See docs/adr/0015-projection-ownership.md.
 */
class OwnedProjectionTest {
    private static final String SCHEMA = TestDatabase.schema("owned");
    @RegisterExtension
    static final TestSchemas SCHEMAS = TestSchemas.dropping(SCHEMA);
    private static final String NAME = "owned_sums";
    private static final Duration LEASE = Duration.ofSeconds(1);
    /** Take-over bound: expiry (one lease) plus one poll (a third), and slack for a loaded machine. */
    private static final Duration TAKE_OVER = LEASE.multipliedBy(4).dividedBy(3).plusSeconds(3);

    /** Handler calls, all instances together: an event processed by both instances would count twice. */
    static final AtomicLong HANDLED = new AtomicLong();
    /** The worker thread whose handler blocks on {@link #PAUSED} (the paused instance), or null. */
    static final AtomicReference<Thread> PAUSE_THREAD = new AtomicReference<>();
    static volatile CountDownLatch paused = new CountDownLatch(0);
    static volatile CountDownLatch inPause = new CountDownLatch(0);

    /** An amount added to a counter. */
    @Event(name = "OwnedCounted")
    public record Counted(String counter, long by) {
    }

    /** The sum per counter. */
    @Projection(NAME)
    public static class Sums {
        private final Map<String, Long> sums = new TreeMap<>();

        @EventHandler
        void on(Counted e) throws InterruptedException {
            if (Thread.currentThread() == PAUSE_THREAD.get()) {
                inPause.countDown();
                paused.await(); // this instance's worker is frozen, as in a GC pause
            }
            HANDLED.incrementAndGet();
            sums.merge(e.counter(), e.by(), Long::sum);
        }

        /** @return the sums, copied */
        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(sums);
        }
    }

    @BeforeEach
    void fresh() {
        TestDatabase.dropSchema(SCHEMA);
        HANDLED.set(0);
        PAUSE_THREAD.set(null);
        paused = new CountDownLatch(0);
    }

    private static Rewind start(String instanceId, PostgresStorage storage, ProjectionStore store) {
        Rewind.Builder b = Rewind.builder().discoverPlugins(false).storage(storage)
                .eventTypes(Counted.class).projection(Sums.class)
                .projectionSettings(NAME, ProjectionSettings.async().owned().snapshotEvery(1, Duration.ZERO)
                        .batchSize(10).linger(Duration.ZERO))
                .instanceId(instanceId).leaseDuration(LEASE);
        if (store != null) {
            b.projectionStore(store);
        }
        return b.build();
    }

    private static Rewind start(String instanceId) {
        return start(instanceId, TestDatabase.builder(SCHEMA).build(), null);
    }

    private static AppendResult add(Rewind rewind, String counter, int events) {
        List<Counted> batch = new java.util.ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new Counted(counter, 1));
        }
        return rewind.store().append("counter-" + counter, ExpectedVersion.any(), batch);
    }

    private static Map<String, Long> state(Rewind rewind) {
        return rewind.projections().state(NAME, ReadPoint.now());
    }

    @Test
    void one_instance_processes_the_other_stands_by_and_names_the_owner_and_takes_over_when_it_closes() {
        // the membership places owned_sums on instance-a among instance-a and instance-c (docs/adr/0018), so
        // instance-c stands by rather than taking it over as soon as it joins
        Rewind a = start("instance-a");
        try {
            Polls.until(() -> a.projections().status(NAME).ownedHere(), Duration.ofSeconds(5), "instance-a to own it");
            try (Rewind b = start("instance-c")) {
                AppendResult last = add(a, "x", 30);
                assertThat(a.projections().<Map<String, Long>>state(NAME, ReadPoint.atLeast(last))).containsEntry("x", 30L);

                ProjectionStatus onB = b.projections().status(NAME);
                assertThat(onB.state()).isEqualTo(ProjectionStatus.State.STANDBY);
                assertThat(onB.owner()).isEqualTo("instance-a");
                assertThat(onB.ownedHere()).isFalse();
                ProjectionStatus onA = a.projections().status(NAME);
                assertThat(onA.owner()).isEqualTo("instance-a");
                assertThat(onA.ownedHere()).isTrue();
                assertThat(onA.ownedSince()).isNotNull();
                assertThat(onA.takenOverFrom()).as("it was free: nobody held it before").isNull();
                assertThat(onB.ownedSince()).as("not held there").isNull();
                // the standby serves the owner's last saved snapshot
                Polls.until(() -> Long.valueOf(30).equals(state(b).get("x")), TAKE_OVER, "instance-c to serve the shared snapshot");
                assertThat(HANDLED.get()).as("handler calls: instance-a only, each event once").isEqualTo(30);

                long closedAt = System.nanoTime();
                a.close(); // saves, then releases the lease
                Polls.until(() -> b.projections().status(NAME).ownedHere(), TAKE_OVER, "instance-c to take over");
                assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(TAKE_OVER);
                ProjectionStatus taken = b.projections().status(NAME);
                assertThat(taken.takenOverFrom()).as("the take-over, visible in the status").isEqualTo("instance-a");
                assertThat(taken.ownedSince()).isNotNull();

                AppendResult more = add(b, "x", 5);
                assertThat(b.projections().<Map<String, Long>>state(NAME, ReadPoint.atLeast(more))).containsEntry("x", 35L);
                assertThat(HANDLED.get()).as("instance-c resumed from instance-a's checkpoint: no event twice")
                        .isEqualTo(35);
                assertThat(b.projections().verify(NAME).ok()).isTrue();
            }
        } finally {
            a.close(); // closed once already: does nothing
        }
    }

    @Test
    void a_paused_owner_s_fenced_save_is_refused_after_the_take_over_it_writes_nothing_and_steps_down() throws Exception {
        PostgresStorage storageA = TestDatabase.builder(SCHEMA).build();
        GatedProjectionStore gatedA = new GatedProjectionStore((PostgresProjectionStore) storageA.projectionStore());
        try (Rewind a = start("instance-a", storageA, gatedA)) {
            Polls.until(() -> a.projections().status(NAME).ownedHere(), Duration.ofSeconds(5), "instance-a to own it");
            AppendResult first = add(a, "x", 3);
            a.projections().state(NAME, ReadPoint.atLeast(first));
            PAUSE_THREAD.set(workerOf(a)); // before instance-b starts a worker of the same name
            long tokenB;
            try (Rewind b = start("instance-b")) {
                paused = new CountDownLatch(1);
                inPause = new CountDownLatch(1);
                gatedA.renewPaused.set(true);
                try {
                    add(b, "x", 1); // instance-a's worker picks it up and freezes in the handler
                    assertThat(inPause.await(10, TimeUnit.SECONDS)).as("instance-a's worker paused").isTrue();

                    Polls.until(() -> b.projections().status(NAME).ownedHere(), TAKE_OVER, "instance-b to take the expired lease");
                    tokenB = leaseToken();
                    Polls.until(() -> Long.valueOf(4).equals(state(b).get("x")), Duration.ofSeconds(10),
                            "instance-b to apply the event instance-a is stuck on");
                    Polls.until(() -> checkpointToken() == tokenB, Duration.ofSeconds(10), "instance-b's fenced save");

                    paused.countDown(); // instance-a resumes: it ends its batch and saves with its old lease
                    Polls.until(() -> !gatedA.refused.isEmpty(), Duration.ofSeconds(10), "instance-a's fenced save to be refused");
                    Polls.until(() -> a.projections().status(NAME).state() == ProjectionStatus.State.STANDBY,
                            Duration.ofSeconds(10), "instance-a to step down");
                } finally {
                    paused.countDown();
                    gatedA.renewPaused.set(false);
                }
                assertThat(gatedA.refused.get(0)).isInstanceOf(LeaseLostException.class)
                        .hasMessageContaining("instance 'instance-a' no longer holds its lease")
                        .hasMessageContaining("instance 'instance-b' holds it now");
                assertThat(gatedA.saved.stream().filter(t -> t == tokenB)).as("instance-a never saved under B's token")
                        .isEmpty();
                assertThat(checkpointToken()).as("the checkpoint is instance-b's").isEqualTo(leaseToken());
                ProjectionStatus onA = a.projections().status(NAME);
                assertThat(onA.owner()).isEqualTo("instance-b");
                assertThat(onA.ownedHere()).isFalse();

                AppendResult more = add(a, "x", 2);
                assertThat(b.projections().<Map<String, Long>>state(NAME, ReadPoint.atLeast(more))).containsEntry("x", 6L);
                assertThat(b.projections().verify(NAME).ok()).isTrue();
            }
        }
    }

    @Test
    void a_failed_renewal_makes_the_owner_step_down_and_the_other_takes_over_within_the_lease_time() {
        PostgresStorage storageA = TestDatabase.builder(SCHEMA).build();
        GatedProjectionStore gatedA = new GatedProjectionStore((PostgresProjectionStore) storageA.projectionStore());
        try (Rewind a = start("instance-a", storageA, gatedA); Rewind b = start("instance-b")) {
            Polls.until(() -> a.projections().status(NAME).ownedHere(), Duration.ofSeconds(5), "instance-a to own it");
            AppendResult first = add(a, "x", 3);
            a.projections().state(NAME, ReadPoint.atLeast(first));

            long failingFrom = System.nanoTime();
            gatedA.unreachable.set(true); // as when the owner's connection is gone and no other can be had
            Polls.until(() -> a.projections().status(NAME).state() == ProjectionStatus.State.STANDBY, TAKE_OVER,
                    "instance-a to step down");
            assertThat(Duration.ofNanos(System.nanoTime() - failingFrom)).as("stepped down within one lease")
                    .isLessThan(LEASE.plusSeconds(1));
            Polls.until(() -> b.projections().status(NAME).ownedHere(), TAKE_OVER, "instance-b to take over");
            assertThat(Duration.ofNanos(System.nanoTime() - failingFrom)).isLessThan(TAKE_OVER);

            AppendResult more = add(b, "x", 2);
            assertThat(b.projections().<Map<String, Long>>state(NAME, ReadPoint.atLeast(more))).containsEntry("x", 5L);
            assertThat(HANDLED.get()).as("no event handled twice").isEqualTo(5);
        }
    }

    @Test
    void pg_terminate_backend_on_the_owner_s_connections_leaves_exactly_one_owner_and_no_event_lost() throws Exception {
        String app = TestDatabase.SCHEMA_PREFIX + "owner_a";
        PostgresStorage storageA = PostgresStorage.builder(TestDatabase.URL + "?ApplicationName=" + app)
                .user(TestDatabase.USER).password(TestDatabase.PASSWORD).schema(SCHEMA).poolSize(4)
                .pollInterval(Duration.ofMillis(200)).connectionTimeout(Duration.ofSeconds(5)).build();
        try (Rewind a = start("instance-a", storageA, null); Rewind b = start("instance-b")) {
            Polls.until(() -> a.projections().status(NAME).ownedHere(), Duration.ofSeconds(5), "instance-a to own it");
            AppendResult first = add(b, "x", 3);
            a.projections().state(NAME, ReadPoint.atLeast(first));

            int killed = terminate(app);
            assertThat(killed).as("instance-a's backends terminated").isPositive();
            // the pool replaces the dead connections: instance-a keeps its lease, or steps down and instance-b
            // takes over; either way one instance owns it within the take-over time and nothing is lost
            AppendResult more = add(b, "x", 4);
            Polls.until(() -> ownsHere(a) ^ ownsHere(b), TAKE_OVER, "exactly one owner");
            Rewind owner = ownsHere(a) ? a : b;
            assertThat(owner.projections().<Map<String, Long>>state(NAME, ReadPoint.atLeast(more).within(Duration.ofSeconds(10))))
                    .containsEntry("x", 7L);
            assertThat(owner.projections().verify(NAME).ok()).isTrue();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Whether the instance owns the projection; false while its status cannot be read (its connections killed). */
    private static boolean ownsHere(Rewind rewind) {
        try {
            return rewind.projections().status(NAME).ownedHere();
        } catch (RuntimeException unavailable) {
            return false;
        }
    }

    private static Thread workerOf(Rewind rewind) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("rewind-projection-" + NAME) && t.isAlive()) {
                return t; // called while only one instance runs: the name is unique then

            }
        }
        throw new AssertionError("no worker thread for " + NAME);
    }

    private static long leaseToken() {
        return query("SELECT token FROM " + SCHEMA + ".rewind_leases WHERE name = '" + NAME + "'");
    }

    private static long checkpointToken() {
        return query("SELECT coalesce(fencing_token, -1) FROM " + SCHEMA + ".rewind_checkpoints WHERE name = '" + NAME + "'");
    }

    private static long query(String sql) {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int terminate(String applicationName) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE application_name = '" + applicationName + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
