package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.Polls;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.TransactionalProjectionStore;
import dev.rewind.storage.postgres.TableViews.Counted;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The blue/green rebuild of a table projection that declares its DDL (docs/adr/0016-table-projections.md):
 * the rebuild fills a fresh table set in a schema of its own while 4 writers append and SQL readers poll the
 * live tables, which never show fewer rows than before the rebuild nor a half-built set; after the switch the
 * tables equal the store, each event's row once. A rebuild on an instance that does not own the projection is
 * refused naming the owner; one whose owner lost its lease mid-way switches nothing; a version change rebuilds by itself; a child JVM killed mid-rebuild leaves the old
 * tables serving and the next rebuild starts clean.
 */
class TableRebuildTest {
    private static final String SCHEMA = TestDatabase.schema("table_rebuild");
    private static final String NEXT = SCHEMA + "_" + TableViews.NAME + "_next";
    @RegisterExtension
    static final TestSchemas SCHEMAS = TestSchemas.dropping(SCHEMA, NEXT);
    private static final String REBUILD = TransactionalProjectionStore.rebuildName(TableViews.NAME);

    @BeforeEach
    void fresh() {
        TestDatabase.dropSchema(SCHEMA);
        TestDatabase.dropSchema(NEXT);
        TableViews.reset();
    }

    private static AppendResult add(Rewind rewind, String counter, int events, int amount) {
        List<Counted> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new Counted(counter, amount));
        }
        return rewind.store().append("counter-" + counter, ExpectedVersion.any(), batch);
    }

    private static void awaitHead(Rewind rewind) {
        Polls.until(() -> rewind.projections().status(TableViews.NAME).lastPosition() == rewind.store().nextPosition() - 1,
                Duration.ofSeconds(60), "the table projection to reach the head");
    }

    @Test
    void a_rebuild_while_four_writers_append_switches_atomically_and_counts_each_event_once() throws Exception {
        long seed = Long.getLong("rewind.rebuild.seed", System.nanoTime());
        String context = "seed " + seed + " (rerun with -Drewind.rebuild.seed=" + seed + ")";
        try (Rewind rewind = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-a",
                TableViews.settings(50, FailurePolicy.stop())).build()) {
            for (int i = 0; i < 20; i++) {
                add(rewind, "c" + (i % 4), 30, i + 1); // the tables were created by its @CreateTables method
            }
            awaitHead(rewind);
            long before = scalar("SELECT count(*) FROM " + table("tv_rows"));
            long oid = scalar("SELECT '" + table("tv_rows") + "'::regclass::oid");
            assertThat(before).isEqualTo(600);

            AtomicBoolean stop = new AtomicBoolean();
            List<String> problems = new CopyOnWriteArrayList<>();
            AtomicLong reads = new AtomicLong();
            AtomicLong switchedSeen = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Random random = new Random(seed + w);
                int writer = w;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 20_000 && !stop.get(); i++) { // until stopped (bounded)
                            add(rewind, "c" + random.nextInt(6), 1 + random.nextInt(5), 1 + random.nextInt(50));
                        }
                    } catch (RuntimeException e) {
                        problems.add("writer " + writer + ": " + e);
                    }
                }, "writer-" + w));
            }
            threads.add(new Thread(() -> {
                // one statement, one snapshot: the rows, their distinct events and the totals' event counts agree
                String sql = "SELECT (SELECT count(*) FROM " + table("tv_rows") + "), (SELECT count(DISTINCT event_id) FROM "
                        + table("tv_rows") + "), (SELECT coalesce(sum(events), 0) FROM " + table("tv_totals") + "), '"
                        + table("tv_rows") + "'::regclass::oid";
                try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        try (ResultSet rs = st.executeQuery(sql)) {
                            rs.next();
                            long rows = rs.getLong(1);
                            if (rows < before || rs.getLong(2) != rows || rs.getLong(3) != rows) {
                                problems.add("a reader saw rows " + rows + ", distinct " + rs.getLong(2) + ", counted "
                                        + rs.getLong(3) + " (before the rebuild: " + before + ")");
                            }
                            if (rs.getLong(4) != oid) {
                                switchedSeen.incrementAndGet();
                            }
                        }
                        reads.incrementAndGet();
                    }
                } catch (SQLException e) {
                    problems.add("a reader failed: " + e);
                }
            }, "reader"));
            threads.forEach(Thread::start);
            long switchedAt;
            try {
                // the writers append before, during and after the rebuild
                Polls.until(() -> rewind.store().nextPosition() >= 700, Duration.ofSeconds(30), "the writers to append");
                ProjectionStatus st = rewind.projections().startRebuild(TableViews.NAME).get(120, TimeUnit.SECONDS);
                switchedAt = st.lastPosition();
                long afterSwitch = rewind.store().nextPosition() + 100;
                Polls.until(() -> rewind.store().nextPosition() >= afterSwitch || !problems.isEmpty(), Duration.ofSeconds(30),
                        "the writers to append after the switch");
                Polls.until(() -> switchedSeen.get() > 0, Duration.ofSeconds(20), "a reader to see the new tables");
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            assertThat(switchedAt).as("%s: the switch took in what was appended during the rebuild", context)
                    .isGreaterThanOrEqualTo(699);
            assertThat(problems).as(context).isEmpty();
            assertThat(reads.get()).as(context).isPositive();
            awaitHead(rewind);
            assertThat(scalar("SELECT '" + table("tv_rows") + "'::regclass::oid")).as("the tables were replaced")
                    .isNotEqualTo(oid);
            TableViews.Comparison cmp = TableViews.compare(rewind, SCHEMA);
            assertThat(cmp.exact()).as("%s: %s", context, cmp).isTrue();
            assertThat(cmp.events()).isGreaterThan(600);
            assertThat(rewind.projections().verify(TableViews.NAME).ok()).as(context).isTrue();
            assertThat(schemaExists(NEXT)).as("the rebuild's schema is gone after the switch").isFalse();
            try (PostgresStorage s = TestDatabase.builder(SCHEMA).readOnly().build()) {
                assertThat(s.projectionStore().load(REBUILD)).as("the rebuild's checkpoint is gone").isEmpty();
                Checkpoint cp = s.projectionStore().load(TableViews.NAME).orElseThrow();
                assertThat(cp.applied()).isEqualTo(cmp.events());
            }
        }
    }

    @Test
    void a_rebuild_on_an_instance_that_does_not_own_it_is_refused_naming_the_owner() throws Exception {
        ProjectionSettings settings = TableViews.settings(50, FailurePolicy.stop());
        // the membership places table_views on instance-a among instance-a and instance-e (docs/adr/0018), so
        // instance-e stays a standby rather than taking it over as soon as it joins
        try (Rewind a = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-a", settings).build()) {
            Polls.until(() -> a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10), "instance-a to own it");
            try (Rewind b = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-e", settings).build()) {
                Polls.until(() -> "instance-a".equals(b.projections().status(TableViews.NAME).owner()),
                        Duration.ofSeconds(10), "instance-e to know the owner");
                assertThatThrownBy(() -> b.projections().rebuild(TableViews.NAME))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("runs on the instance that owns it, which is instance 'instance-a'")
                        .hasMessageContaining("not instance 'instance-e'")
                        .hasMessageContaining("call rebuild there");
            }
        }
    }

    @Test
    void a_rebuild_whose_owner_lost_its_lease_mid_way_switches_nothing_and_the_new_owner_keeps_the_old_tables()
            throws Exception {
        PostgresStorage storageA = TestDatabase.builder(SCHEMA).build();
        GatedProjectionStore gatedA = new GatedProjectionStore((PostgresProjectionStore) storageA.projectionStore());
        ProjectionSettings settings = TableViews.settings(25, FailurePolicy.stop());
        try (Rewind a = TableViews.builder(storageA, "instance-a", settings).projectionStore(gatedA).build()) {
            Polls.until(() -> a.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10), "instance-a to own it");
            for (int i = 0; i < 10; i++) {
                add(a, "c" + (i % 3), 20, i + 1);
            }
            awaitHead(a);
            long oid = scalar("SELECT '" + table("tv_rows") + "'::regclass::oid");
            TableViews.blockRebuildAt.set(100);
            TableViews.rebuildBlocked = new CountDownLatch(1);
            TableViews.rebuildRelease = new CountDownLatch(1);
            CompletableFuture<ProjectionStatus> rebuild = a.projections().startRebuild(TableViews.NAME);
            try (Rewind b = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-b", settings).build()) {
                assertThat(TableViews.rebuildBlocked.await(30, TimeUnit.SECONDS)).as("the rebuild froze mid-way").isTrue();
                gatedA.unreachable.set(true); // instance-a cannot reach its lease: it expires and instance-b takes it
                try {
                    Polls.until(() -> b.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10),
                            "instance-b to take the expired lease");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; a: " + a.projections().status(TableViews.NAME) + "; b: "
                            + b.projections().status(TableViews.NAME) + "; threads: " + dump(), e);
                }
                TableViews.rebuildRelease.countDown();
                assertThatThrownBy(() -> rebuild.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
                gatedA.unreachable.set(false);
                AppendResult more = add(b, "z", 5, 1);
                Polls.until(() -> b.projections().status(TableViews.NAME).lastPosition() >= more.lastPosition(),
                        Duration.ofSeconds(20), "instance-b to apply the new events");
                assertThat(scalar("SELECT '" + table("tv_rows") + "'::regclass::oid")).as("no switch happened")
                        .isEqualTo(oid);
                TableViews.Comparison cmp = TableViews.compare(b, SCHEMA);
                assertThat(cmp.exact()).as("%s", cmp).isTrue();
                assertThat(b.projections().verify(TableViews.NAME).ok()).isTrue();
                Checkpoint cp = checkpoint(TableViews.NAME);
                assertThat(cp.applied()).isEqualTo(cmp.events());
            }
        } finally {
            TableViews.rebuildRelease.countDown();
            gatedA.unreachable.set(false);
        }
    }

    @Test
    void a_table_projection_without_create_tables_is_refused_a_rebuild_saying_how() throws Exception {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(TestDatabase.builder(SCHEMA).build())
                .eventTypes(Counted.class).projection(Undeclared.class)
                .projectionSettings("undeclared", TableViews.settings(50, FailurePolicy.stop())).build()) {
            assertThatThrownBy(() -> rewind.projections().rebuild("undeclared"))
                    .hasMessageContaining("'undeclared' keeps its view in tables")
                    .hasMessageContaining("declares no @CreateTables method");
        }
    }

    @Test
    void a_version_change_rebuilds_the_tables_while_the_old_ones_serve() throws Exception {
        ProjectionSettings settings = TableViews.settings(50, FailurePolicy.stop());
        long oid;
        try (Rewind v1 = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-a", settings).build()) {
            for (int i = 0; i < 10; i++) {
                add(v1, "c" + (i % 3), 20, i + 1);
            }
            awaitHead(v1);
            oid = scalar("SELECT '" + table("tv_rows") + "'::regclass::oid");
        }
        try (Rewind v2 = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "instance-a", settings, RowsV2.class)
                .build()) {
            AppendResult more = add(v2, "c9", 5, 7);
            Polls.until(() -> {
                ProjectionStatus st = v2.projections().status(TableViews.NAME);
                return st.state() != ProjectionStatus.State.REBUILDING && st.lastPosition() >= more.lastPosition();
            }, Duration.ofSeconds(60), "the rebuild for version 2 to switch and catch up");
            assertThat(scalar("SELECT '" + table("tv_rows") + "'::regclass::oid")).as("the tables were replaced")
                    .isNotEqualTo(oid);
            TableViews.Comparison cmp = TableViews.compare(v2, SCHEMA);
            assertThat(cmp.exact()).as("%s", cmp).isTrue();
            assertThat(v2.projections().verify(TableViews.NAME).ok()).isTrue();
            try (PostgresStorage s = TestDatabase.builder(SCHEMA).readOnly().build()) {
                assertThat(s.projectionStore().load(TableViews.NAME).orElseThrow().version()).startsWith("v2;");
            }
        }
    }

    @Test
    void a_child_killed_mid_rebuild_leaves_the_old_tables_serving_and_the_next_rebuild_starts_clean() throws Exception {
        long seed = Long.getLong("rewind.rebuild.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (rerun with -Drewind.rebuild.seed=" + seed + ")";
        ProjectionSettings settings = TableViews.settings(25, FailurePolicy.stop());
        long oid;
        try (Rewind rewind = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "table-child", settings).build()) {
            for (int i = 0; i < 25; i++) {
                add(rewind, "c" + (i % 5), 100, i + 1);
            }
            awaitHead(rewind);
            oid = scalar("SELECT '" + table("tv_rows") + "'::regclass::oid");
        }
        Checkpoint before = checkpoint(TableViews.NAME);
        // a seeded moment of the rebuild's 2500 events, after its first batch of 1000 committed
        long blockAt = 1100 + random.nextInt(1200);
        try (ChildJvm child = new ChildJvm("table rebuild child", TableViews.Child.class, SCHEMA, Long.toString(blockAt),
                "rebuild")) {
            child.await("REBUILD BLOCKED", 60);
            child.kill();
        } catch (AssertionError e) {
            throw new AssertionError(context + ": " + e.getMessage(), e);
        }
        assertThat(schemaExists(NEXT)).as("%s: the killed rebuild left its schema", context).isTrue();
        assertThat(checkpoint(REBUILD).position()).as("%s: and batches it committed there", context)
                .isGreaterThanOrEqualTo(999);
        assertThat(scalar("SELECT '" + table("tv_rows") + "'::regclass::oid")).as("the old tables serve").isEqualTo(oid);
        Checkpoint after = checkpoint(TableViews.NAME);
        assertThat(after.position()).as("the live checkpoint is untouched").isEqualTo(before.position());
        assertThat(after.applied()).isEqualTo(before.applied());
        assertThat(after.version()).isEqualTo(before.version());
        try (PostgresStorage storage = TestDatabase.builder(SCHEMA).readOnly().build();
             Rewind reader = Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Counted.class).build()) {
            TableViews.Comparison cmp = TableViews.compare(reader, SCHEMA);
            assertThat(cmp.exact()).as("%s: the old tables after the kill: %s", context, cmp).isTrue();
        }
        try (Rewind rewind = TableViews.builder(TestDatabase.builder(SCHEMA).build(), "table-child", settings).build()) {
            Polls.until(() -> rewind.projections().status(TableViews.NAME).ownedHere(), Duration.ofSeconds(10),
                    "the restarted instance to own it");
            rewind.projections().rebuild(TableViews.NAME);
            awaitHead(rewind);
            TableViews.Comparison cmp = TableViews.compare(rewind, SCHEMA);
            assertThat(cmp.exact()).as("%s: after the second rebuild: %s", context, cmp).isTrue();
            assertThat(scalar("SELECT '" + table("tv_rows") + "'::regclass::oid")).isNotEqualTo(oid);
            assertThat(rewind.projections().verify(TableViews.NAME).ok()).isTrue();
            assertThat(schemaExists(NEXT)).isFalse();
        }
    }

    /** Version 2 of the view: the same handlers and tables, a changed meaning (its tables are rebuilt). */
    @Projection(value = TableViews.NAME, version = 2)
    public static class RowsV2 extends TableViews.Rows {
    }

    /** A table projection that does not declare its DDL. */
    @Projection("undeclared")
    public static class Undeclared {
        @EventHandler
        void on(Counted e, StoredEvent<?> stored, Connection c) {
            throw new IllegalStateException("never applied: the test appends nothing");
        }

        /** @return nothing in memory */
        @QueryState
        public String state() {
            return "";
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String dump() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
            if (t.getName().startsWith("rewind-")) {
                sb.append("\n").append(t.getName()).append(":");
                for (int i = 0; i < Math.min(12, st.length); i++) {
                    sb.append("\n   ").append(st[i]);
                }
            }
        });
        return sb.toString();
    }

    private static String table(String name) {
        return PostgresSettings.quote(SCHEMA) + "." + name;
    }

    private static Checkpoint checkpoint(String name) {
        try (PostgresStorage s = TestDatabase.builder(SCHEMA).readOnly().build()) {
            return s.projectionStore().load(name).orElseThrow();
        }
    }

    private static boolean schemaExists(String schema) throws SQLException {
        return scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'") > 0;
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
