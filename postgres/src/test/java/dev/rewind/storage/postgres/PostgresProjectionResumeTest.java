package dev.rewind.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.annotation.Event;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous projection over a PostgreSQL storage keeps its checkpoint in the store's schema: a new
 * {@code Rewind} (a restarted instance, or another one on the same database) restores the snapshot and
 * applies only the events stored after it, not the whole history again.
 */
class PostgresProjectionResumeTest {
    private static final String SCHEMA = TestDatabase.schema("projection_resume");
    /** Handler calls, all instances together: not part of the snapshot, so a replay from 0 would show here. */
    static final AtomicLong HANDLED = new AtomicLong();

    /** An amount added to a counter. */
    @Event(name = "Counted")
    public record Counted(String counter, long by) {
    }

    /** The sum per counter. */
    @Projection("sums")
    public static class Sums {
        private final Map<String, Long> sums = new TreeMap<>();

        @EventHandler
        void on(Counted e) {
            HANDLED.incrementAndGet();
            sums.merge(e.counter(), e.by(), Long::sum);
        }

        /** @return the sums, copied */
        @QueryState
        public Map<String, Long> state() {
            return Map.copyOf(sums);
        }
    }

    @BeforeAll
    static void server() {
        TestDatabase.requireServer();
    }

    private static Rewind start() {
        return Rewind.builder().discoverPlugins(false).storage(TestDatabase.builder(SCHEMA).build())
                .eventTypes(Counted.class).projection(Sums.class)
                .projectionSettings("sums", ProjectionSettings.async().snapshotEvery(50, Duration.ZERO).batchSize(20))
                .build();
    }

    private static AppendResult add(Rewind rewind, int events) {
        List<Counted> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new Counted("a", 1));
        }
        return rewind.store().append("counter-a", ExpectedVersion.any(), batch);
    }

    @Test
    void a_restarted_instance_resumes_from_the_checkpoint_in_postgres_instead_of_replaying_from_zero() {
        TestDatabase.dropSchema(SCHEMA);
        HANDLED.set(0);
        try (Rewind first = start()) {
            AppendResult last = null;
            for (int i = 0; i < 10; i++) {
                last = add(first, 20);
            }
            assertThat(first.projections().<Map<String, Long>>state("sums", ReadPoint.atLeast(last)))
                    .containsEntry("a", 200L);
        } // closing saves the checkpoint and the snapshot
        assertThat(HANDLED.get()).isEqualTo(200);
        try (PostgresStorage look = TestDatabase.builder(SCHEMA).build()) {
            assertThat(look.projectionStore().load("sums")).hasValueSatisfying(c -> {
                assertThat(c.position()).isEqualTo(199);
                assertThat(c.applied()).isEqualTo(200);
                assertThat(c.hasSnapshot()).isTrue();
            });
        }

        HANDLED.set(0);
        try (Rewind second = start()) {
            ProjectionStatus restored = second.projections().status("sums");
            assertThat(restored.checkpoint()).as("the checkpoint it found").isEqualTo(199);
            assertThat(restored.lastPosition()).as("restored, not replayed").isEqualTo(199);

            AppendResult more = add(second, 5);
            assertThat(second.projections().<Map<String, Long>>state("sums", ReadPoint.atLeast(more)))
                    .containsEntry("a", 205L);

            assertThat(HANDLED.get()).as("handler calls of the restarted instance: the 5 new events only").isEqualTo(5);
            assertThat(second.projections().status("sums").lastPosition()).isEqualTo(204);
            assertThat(second.projections().verify("sums").ok()).isTrue();
        }
    }
}
