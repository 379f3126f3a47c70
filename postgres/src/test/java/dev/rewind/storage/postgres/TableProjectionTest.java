package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.ProjectionLeases;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.TransactionalProjectionStore;
import dev.rewind.storage.postgres.TableViews.Counted;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Table projections (docs/adr/0016-table-projections.md): handlers write PostgreSQL tables on the batch's
 * connection and the checkpoint commits in the same transaction. The tables equal what the store implies; a
 * handler that throws mid-batch leaves neither the batch's rows nor its checkpoint; a child JVM appending and
 * projecting, SIGKILLed at seeded random moments and restarted, ends with every event's row exactly once and
 * the totals right; with two instances, an owner fenced out mid-batch commits nothing.
 */
class TableProjectionTest {
    private static final String SCHEMA = TestDatabase.schema("tables");
    @RegisterExtension
    static final TestSchemas SCHEMAS = TestSchemas.dropping(SCHEMA);
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration TAKE_OVER = LEASE.multipliedBy(4).dividedBy(3).plusSeconds(3);

    @BeforeEach
    void fresh() throws SQLException {
        TestDatabase.dropSchema(SCHEMA);
        TableViews.reset();
    }

    private static PostgresStorage storageWithTables() throws SQLException {
        PostgresStorage storage = TestDatabase.builder(SCHEMA).build(); // creates the schema
        TableViews.createTables(SCHEMA);
        return storage;
    }

    private static AppendResult add(Rewind rewind, String counter, int events, int amount) {
        List<Counted> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new Counted(counter, amount));
        }
        return rewind.store().append("counter-" + counter, ExpectedVersion.any(), batch);
    }

    private static void awaitPosition(Rewind rewind, long position) {
        Polls.until(() -> rewind.projections().status(TableViews.NAME).lastPosition() >= position, Duration.ofSeconds(20),
                "the table projection to reach position " + position);
    }

    @Test
    void the_tables_equal_what_the_store_implies_one_transaction_per_batch() throws Exception {
        try (Rewind rewind = TableViews.builder(storageWithTables(), "instance-a",
                TableViews.settings(50, FailurePolicy.stop())).build()) {
            AppendResult last = null;
            for (int i = 0; i < 20; i++) {
                last = add(rewind, "c" + (i % 3), 25, i + 1);
            }
            awaitPosition(rewind, last.lastPosition());
            TableViews.Comparison cmp = TableViews.compare(rewind, SCHEMA);
            assertThat(cmp.events()).isEqualTo(500);
            assertThat(cmp.exact()).as("tables against the store: %s", cmp).isTrue();
            // one transaction per batch of up to 50 events, not one per event
            assertThat(TableViews.xids.size()).isLessThanOrEqualTo(500 / 10).isGreaterThanOrEqualTo(500 / 50);
            Checkpoint cp = checkpoint();
            assertThat(cp.position()).isEqualTo(last.lastPosition());
            assertThat(cp.applied()).isEqualTo(500);
            assertThat(cp.hasSnapshot()).as("a table projection keeps no snapshot").isFalse();
            assertThat(rewind.projections().verify(TableViews.NAME).ok()).isTrue();
            ProjectionStatus st = rewind.projections().status(TableViews.NAME);
            assertThat(st.ownedHere()).as("a table projection is always owned").isTrue();
            assertThatThrownBy(() -> rewind.projections().stateAtPosition(TableViews.NAME, 3))
                    .hasMessageContaining("keeps its view in tables");
        }
    }

    @Test
    void the_standby_s_status_follows_the_owner_s_committed_position_and_it_writes_nothing() throws Exception {
        // the membership places the table projection on instance-a among instance-a and instance-e (docs/adr/0018),
        // so instance-e, started second, stays a standby that never processed anything
        try (Rewind a = TableViews.builder(storageWithTables(), "instance-a", TableViews.settings(20, FailurePolicy.stop()))
                .build()) {
            Polls.until(() -> a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(20), "instance-a to own it");
            try (Rewind e = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-e",
                    TableViews.settings(20, FailurePolicy.stop())).build()) {
                AppendResult last = null;
                for (int i = 0; i < 6; i++) {
                    last = add(a, "s" + i, 10, 1);
                }
                awaitPosition(a, last.lastPosition());
                // a table projection has no state to load on the standby, but its position and lag are the owner's
                awaitPosition(e, last.lastPosition());
                ProjectionStatus st = e.projections().status(TableViews.NAME);
                assertThat(st.state()).isEqualTo(ProjectionStatus.State.STANDBY);
                assertThat(st.owner()).isEqualTo("instance-a");
                assertThat(st.lag()).isZero();
                assertThat(a.projections().status(TableViews.NAME).ownedHere()).isTrue();
                assertThat(TableViews.compare(a, SCHEMA).exact()).isTrue();
            }
        }
    }

    @Test
    void a_handler_that_throws_mid_batch_leaves_neither_rows_nor_checkpoint_of_that_batch_then_the_policy_stops() throws Exception {
        try (Rewind rewind = TableViews.builder(storageWithTables(), "instance-a",
                TableViews.settings(50, FailurePolicy.stop())).build()) {
            AppendResult first = add(rewind, "a", 10, 1);
            awaitPosition(rewind, first.lastPosition());
            long failing = first.lastPosition() + 6;
            TableViews.failAt.set(failing);
            TableViews.failures.set(1);
            AppendResult second = add(rewind, "a", 10, 1); // one batch; its 6th event fails
            Polls.until(() -> rewind.projections().status(TableViews.NAME).state() == ProjectionStatus.State.FAILED,
                    Duration.ofSeconds(20), "the projection to stop");

            assertThat(TableViews.failedXids).hasSize(1);
            assertThat(rowsOf(TableViews.failedXids.iterator().next()))
                    .as("no row of the rolled-back batch's transaction").isZero();
            ProjectionStatus st = rewind.projections().status(TableViews.NAME);
            assertThat(st.failedAt()).isEqualTo(failing);
            assertThat(st.lastPosition()).isEqualTo(failing - 1);
            Checkpoint cp = checkpoint();
            assertThat(cp.position()).as("the events before the failed one committed on their own").isEqualTo(failing - 1);
            assertThat(countRows()).isEqualTo(cp.applied()).isEqualTo(15);
            assertThat(second.lastPosition()).isGreaterThan(failing);
        }
        // restarted, it tries the event again (it no longer fails) and goes on: every event once
        try (Rewind rewind = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-a",
                TableViews.settings(50, FailurePolicy.stop())).build()) {
            awaitPosition(rewind, 19);
            assertThat(TableViews.compare(rewind, SCHEMA).exact()).isTrue();
        }
    }

    @Test
    void retries_roll_each_attempt_back_and_a_parked_event_is_retried_in_a_transaction_of_its_own() throws Exception {
        try (Rewind rewind = TableViews.builder(storageWithTables(), "instance-a",
                TableViews.settings(50, FailurePolicy.retry(3, Duration.ZERO, Duration.ZERO).thenPark())).build()) {
            AppendResult first = add(rewind, "a", 5, 1);
            awaitPosition(rewind, first.lastPosition());

            // fails twice, succeeds on the third attempt: applied once
            TableViews.failAt.set(first.lastPosition() + 3);
            TableViews.failures.set(2);
            AppendResult second = add(rewind, "b", 10, 2);
            awaitPosition(rewind, second.lastPosition());
            assertThat(TableViews.failedXids).hasSize(2);
            for (long xid : TableViews.failedXids) {
                assertThat(rowsOf(xid)).isZero();
            }
            assertThat(TableViews.compare(rewind, SCHEMA).exact()).isTrue();

            // fails on every attempt: parked, the other streams go on
            long parkedAt = second.lastPosition() + 2;
            TableViews.failAt.set(parkedAt);
            TableViews.failures.set(Integer.MAX_VALUE);
            AppendResult third = add(rewind, "c", 4, 3);
            AppendResult fourth = add(rewind, "d", 2, 4);
            awaitPosition(rewind, fourth.lastPosition());
            List<ParkedEvent> parked = rewind.projections().parked(TableViews.NAME);
            assertThat(parked).extracting(ParkedEvent::position)
                    .containsExactly(parkedAt, parkedAt + 1, parkedAt + 2); // the failed one and the two behind it
            assertThat(countRows()).isEqualTo(15 + 1 + 2);
            assertThat(third.lastPosition()).isEqualTo(parkedAt + 2);

            TableViews.failures.set(0);
            assertThat(rewind.projections().retryParked(TableViews.NAME, "counter-c", "fixed")).isEmpty();
            TableViews.Comparison cmp = TableViews.compare(rewind, SCHEMA);
            assertThat(cmp.exact()).as("%s", cmp).isTrue();
            Checkpoint cp = checkpoint();
            assertThat(cp.parked()).as("the retry committed with its checkpoint").isEmpty();
            assertThat(cp.applied()).isEqualTo(cmp.events());
            assertThat(rewind.projections().verify(TableViews.NAME).ok()).isTrue();
        }
    }

    @Test
    void a_batch_whose_connection_the_database_ends_under_a_handler_is_tried_again_not_counted_as_its_failure()
            throws Exception {
        try (Rewind rewind = TableViews.builder(storageWithTables(), "instance-a",
                TableViews.settings(50, FailurePolicy.stop())).build()) {
            AppendResult first = add(rewind, "a", 3, 1);
            awaitPosition(rewind, first.lastPosition());
            TableViews.pauseThread.set(workerOf(rewind));
            TableViews.paused = new CountDownLatch(1);
            TableViews.inPause = new CountDownLatch(1);
            AppendResult second = add(rewind, "a", 4, 1); // one batch: its first handler call waits after its writes
            assertThat(TableViews.inPause.await(10, TimeUnit.SECONDS)).as("the handler paused").isTrue();
            long xid = TableViews.pausedXid.get();
            try {
                assertThat(scalar("SELECT pg_terminate_backend(" + TableViews.pausedPid.get() + ", 10000)::int"))
                        .as("the batch's server process ended").isOne();
            } finally {
                TableViews.paused.countDown(); // the next handler call's statement finds its connection gone
            }

            // the stop policy is not used up: the batch is tried again (its checkpoint reloaded) and commits
            awaitPosition(rewind, second.lastPosition());
            ProjectionStatus st = rewind.projections().status(TableViews.NAME);
            assertThat(st.failedAt()).isEqualTo(-1);
            assertThat(st.state()).isNotEqualTo(ProjectionStatus.State.FAILED);
            assertThat(rowsOf(xid)).as("no row of the transaction whose connection ended").isZero();
            TableViews.Comparison cmp = TableViews.compare(rewind, SCHEMA);
            assertThat(cmp.exact()).as("%s", cmp).isTrue();
            assertThat(rewind.projections().verify(TableViews.NAME).ok()).isTrue();
        }
    }

    @Test
    void a_sync_table_projection_is_refused_naming_it_and_the_fix() throws SQLException {
        PostgresStorage storage = storageWithTables();
        assertThatThrownBy(() -> TableViews.builder(storage, "instance-a", ProjectionSettings.sync()).build())
                .hasMessageContaining("projection '" + TableViews.NAME + "'")
                .hasMessageContaining("takes a java.sql.Connection")
                .hasMessageContaining("ProjectionSettings.async()");
        storage.close();
    }

    @Test
    void an_owner_fenced_out_mid_batch_commits_nothing_and_the_new_owner_applies_each_event_once() throws Exception {
        PostgresStorage storageA = storageWithTables();
        GatedProjectionStore gatedA = new GatedProjectionStore((PostgresProjectionStore) storageA.projectionStore());
        gatedA.paused = () -> TableViews.pausedXid.get() >= 0;
        ProjectionSettings settings = TableViews.settings(10, FailurePolicy.stop());
        try (Rewind a = TableViews.builder(storageA, "instance-a", settings).projectionStore(gatedA).build()) {
            Polls.until(() -> a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(5), "instance-a to own it");
            AppendResult first = add(a, "x", 3, 1);
            awaitPosition(a, first.lastPosition());
            TableViews.pauseThread.set(workerOf(a)); // before instance-b starts a worker of the same name
            try (Rewind b = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-b", settings).build()) {
                TableViews.paused = new CountDownLatch(1);
                TableViews.inPause = new CountDownLatch(1);
                gatedA.renewPaused.set(true);
                try {
                    add(b, "x", 1, 1); // instance-a's worker writes its row, then freezes before its commit
                    assertThat(TableViews.inPause.await(10, TimeUnit.SECONDS)).as("instance-a's worker paused").isTrue();
                    Polls.until(() -> b.projections().status(TableViews.NAME).ownedHere(), TAKE_OVER,
                            "instance-b to take the expired lease");
                    awaitPosition(b, first.lastPosition() + 1);
                    // instance-b applied the event although instance-a's open batch had written its rows first:
                    // the server ended that transaction once it was idle for a lease (its row locks blocked b)
                    TableViews.paused.countDown(); // instance-a resumes: its transaction is gone or its fence fails
                    Polls.until(() -> a.projections().status(TableViews.NAME).state() == ProjectionStatus.State.STANDBY,
                            Duration.ofSeconds(10), "instance-a to step down");
                } finally {
                    TableViews.paused.countDown();
                    gatedA.renewPaused.set(false);
                }
                assertThat(rowsOf(TableViews.pausedXid.get())).as("nothing of the fenced-out transaction").isZero();
                assertThat(gatedA.committedAfterPause.get()).as("instance-a committed no batch after its pause").isZero();
                AppendResult more = add(a, "x", 5, 1);
                awaitPosition(b, more.lastPosition());
                TableViews.Comparison cmp = TableViews.compare(b, SCHEMA);
                assertThat(cmp.exact()).as("%s", cmp).isTrue();
                assertThat(b.projections().verify(TableViews.NAME).ok()).isTrue();
            }
        }
    }

    @Test
    void a_batch_whose_lease_was_taken_over_before_its_commit_commits_nothing() throws Exception {
        try (PostgresStorage storage = storageWithTables()) {
            PostgresProjectionStore store = (PostgresProjectionStore) storage.projectionStore();
            Lease a = store.acquire("fenced", "instance-a", Duration.ofMillis(500)).orElseThrow();
            assertThatThrownBy(() -> store.inTransaction("fenced", a, c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO tv_totals (counter, total, events) VALUES ('fenced', 1, 1)");
                    st.execute("SELECT pg_sleep(0.7)"); // busy, not idle: meanwhile the lease expires
                }
                assertThat(store.acquire("fenced", "instance-b", Duration.ofSeconds(5))).isPresent();
                return new Checkpoint("fenced", "v1", -1, -1, null, 0, 0, -1, List.of(), List.of(), List.of(), null,
                        java.time.Instant.now());
            })).isInstanceOf(dev.rewind.spi.projection.LeaseLostException.class)
                    .hasMessageContaining("instance 'instance-a' no longer holds its lease")
                    .hasMessageContaining("instance 'instance-b' holds it now");
            assertThat(scalar("SELECT count(*) FROM " + PostgresSettings.quote(SCHEMA)
                    + ".tv_totals WHERE counter = 'fenced'")).as("the batch's row was rolled back").isZero();
            assertThat(store.load("fenced")).as("no checkpoint either").isEmpty();
        }
    }

    @Test
    void a_child_jvm_killed_at_random_moments_ends_with_every_event_s_row_exactly_once() throws Exception {
        long seed = Long.getLong("rewind.tables.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (rerun with -Drewind.tables.seed=" + seed + ")";
        TestDatabase.builder(SCHEMA).build().close(); // creates the schema
        TableViews.createTables(SCHEMA);
        int rounds = 6;
        for (int round = 0; round < rounds; round++) {
            try (ChildJvm child = new ChildJvm("table child round " + round, TableViews.Child.class, SCHEMA,
                    Long.toString(random.nextLong()), "append")) {
                child.await("READY", 60);
                int target = 50 + random.nextInt(400);
                while (true) { // kill once it appended a seeded number of events (a moment the test does not choose)
                    String line = child.await("APPENDED ", 60);
                    if (Long.parseLong(line.substring(9)) >= target) {
                        break;
                    }
                }
                child.kill();
            } catch (AssertionError e) {
                throw new AssertionError(context + ", round " + round + ": " + e.getMessage(), e);
            }
        }
        try (ChildJvm drain = new ChildJvm("table child draining", TableViews.Child.class, SCHEMA, "0", "drain")) {
            drain.await("DRAINED", 150);
            drain.awaitExit(30);
        } catch (AssertionError e) {
            throw new AssertionError(context + ": " + e.getMessage(), e);
        }
        try (PostgresStorage storage = TestDatabase.builder(SCHEMA).readOnly().build();
             Rewind reader = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).build()) {
            TableViews.Comparison cmp = TableViews.compare(reader, SCHEMA);
            assertThat(cmp.events()).as(context).isGreaterThanOrEqualTo(rounds * 50L);
            assertThat(cmp.exact()).as("%s: %s", context, cmp).isTrue();
            Checkpoint cp = storage.projectionStore().load(TableViews.NAME).orElseThrow();
            assertThat(cp.applied()).as(context).isEqualTo(cmp.events());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Checkpoint checkpoint() {
        try (PostgresStorage s = TestDatabase.builder(SCHEMA).readOnly().build()) {
            return s.projectionStore().load(TableViews.NAME).orElseThrow();
        }
    }

    private static long rowsOf(long xid) throws SQLException {
        return scalar("SELECT count(*) FROM " + PostgresSettings.quote(SCHEMA) + ".tv_rows WHERE xid = " + xid);
    }

    private static long countRows() throws SQLException {
        return scalar("SELECT count(*) FROM " + PostgresSettings.quote(SCHEMA) + ".tv_rows");
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Thread workerOf(Rewind rewind) {
        String name = "rewind-projection-" + TableViews.NAME;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name) && t.isAlive()) {
                return t;
            }
        }
        throw new AssertionError("no worker thread named " + name);
    }
}
