package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.Subscription;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.StaleProjectionException;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.Totals;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Asynchronous projections: read-your-writes on request, typed queries, checkpoints and snapshots across restarts. */
class AsyncProjectionsTest {
    private final InMemoryStorage storage = new InMemoryStorage();

    private Rewind start(ProjectionSettings settings) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(Totals.class).projectionSettings("totals", settings).build();
    }

    private static AppendResult add(Rewind rewind, String counter, long by) {
        return rewind.store().append("c-" + counter, ExpectedVersion.any(), List.of(new Added(counter, by)));
    }

    @Test
    void an_append_does_not_wait_and_at_least_its_position_is_read_your_writes() {
        try (Rewind rewind = start(ProjectionSettings.async())) {
            AppendResult last = null;
            for (int i = 0; i < 1_000; i++) {
                last = add(rewind, "a", 1);
            }

            Map<String, Long> state = rewind.projections().state("totals", ReadPoint.atLeast(last));

            assertThat(state).containsEntry("a", 1_000L);
            assertThat(rewind.projections().status("totals").lastPosition()).isGreaterThanOrEqualTo(999);
            assertThat(rewind.projections().status("totals").mode()).isEqualTo(ProjectionSettings.Mode.ASYNC);
        }
    }

    @Test
    void a_query_that_waits_for_its_write_is_not_held_by_the_runners_linger() {
        try (Rewind rewind = start(ProjectionSettings.async().linger(Duration.ofSeconds(1)))) {
            for (int i = 1; i <= 20; i++) {
                AppendResult r = add(rewind, "a", 1);

                // one event is under a quarter of a batch: the runner lingers up to 1 s, unless a query waits
                Map<String, Long> state = rewind.projections().state("totals",
                        ReadPoint.atLeast(r).within(Duration.ofMillis(900)));

                assertThat(state).containsEntry("a", (long) i);
            }
        }
    }

    @Test
    void the_status_answers_while_a_handler_blocks_inside_its_batch() throws Exception {
        try (Rewind rewind = start(ProjectionSettings.async())) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Subscription subscription = rewind.projections().subscribe("held", 0, e -> {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                add(rewind, "a", 1);
                add(rewind, "a", 2);
                add(rewind, "a", 3);
                assertThat(entered.await(30, TimeUnit.SECONDS)).as("the handler got its first event").isTrue();

                // the worker holds the runner's lock for its batch: a health probe must not wait for it
                CompletableFuture<ProjectionStatus> status = CompletableFuture.supplyAsync(
                        () -> rewind.projections().status("held"));
                CompletableFuture<List<ProjectionStatus>> statuses = CompletableFuture.supplyAsync(
                        () -> rewind.projections().statuses());
                ProjectionStatus held = status.get(30, TimeUnit.SECONDS);
                assertThat(release.getCount()).as("answered while the handler still blocks").isEqualTo(1);
                assertThat(held.lastPosition()).isEqualTo(-1);
                assertThat(held.lag()).isEqualTo(3);
                assertThat(statuses.get(30, TimeUnit.SECONDS)).anySatisfy(s -> {
                    assertThat(s.name()).isEqualTo("held");
                    assertThat(s.lag()).isEqualTo(3);
                });
            } finally {
                release.countDown();
                subscription.close();
            }
        }
    }

    @Test
    void a_linger_outside_zero_to_one_second_is_refused_naming_it() {
        assertThatThrownBy(() -> ProjectionSettings.async().linger(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ProjectionSettings: linger must be between zero and 1 s, was PT-0.001S");
        assertThatThrownBy(() -> ProjectionSettings.async().linger(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linger must be between zero and 1 s");
        assertThat(ProjectionSettings.async().linger()).isEqualTo(Duration.ofMillis(2));
        assertThat(ProjectionSettings.sync().linger()).isZero();
    }

    @Test
    void a_typed_query_reads_the_live_instance_by_key_and_a_past_one_at_a_point() {
        try (Rewind rewind = start(ProjectionSettings.async())) {
            add(rewind, "a", 5);
            AppendResult second = add(rewind, "a", 7);

            long now = rewind.projections().query(Totals.class, ReadPoint.atLeast(second), v -> v.of("a"));
            long then = rewind.projections().query(Totals.class, ReadPoint.atPosition(0), v -> v.of("a"));

            assertThat(now).isEqualTo(12);
            assertThat(then).isEqualTo(5);
        }
    }

    @Test
    void a_state_of_the_wrong_type_names_both_types_and_an_unknown_class_names_the_registered_ones() {
        try (Rewind rewind = start(ProjectionSettings.sync())) {
            assertThatThrownBy(() -> rewind.projections().state("totals", List.class))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the state of projection 'totals' is a java.util.")
                    .hasMessageContaining("(its @QueryState method returns java.util.Map), not a java.util.List");
            assertThatThrownBy(() -> rewind.projections().query(String.class, s -> s))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("java.lang.String is not a registered projection class; the registered ones are ["
                            + Totals.class.getName() + "]");
            assertThat((Map<?, ?>) rewind.projections().state("totals", Map.class)).isEmpty();
        }
    }

    @Test
    void at_least_a_position_that_is_never_stored_times_out_naming_where_the_projection_is() {
        try (Rewind rewind = start(ProjectionSettings.async())) {
            add(rewind, "a", 1);

            assertThatThrownBy(() -> rewind.projections().state("totals",
                    ReadPoint.atLeast(5).within(Duration.ofMillis(200))))
                    .isInstanceOf(StaleProjectionException.class)
                    .hasMessageStartingWith("projection 'totals' did not reach position 5 within 200 ms: it is at position 0");
        }
    }

    @Test
    void a_restart_restores_the_snapshot_and_applies_only_the_events_after_it() {
        try (Rewind first = start(ProjectionSettings.async())) {
            for (int i = 0; i < 100; i++) {
                add(first, "a", 1);
            }
            first.projections().state("totals", ReadPoint.atLeast(99));
        } // closing saves the checkpoint and snapshot
        assertThat(storage.projectionStore().load("totals")).hasValueSatisfying(c -> {
            assertThat(c.position()).isEqualTo(99);
            assertThat(c.applied()).isEqualTo(100);
            assertThat(c.hasSnapshot()).isTrue();
        });

        try (Rewind second = start(ProjectionSettings.async())) {
            AppendResult more = add(second, "a", 1);
            long applied = second.projections().query(Totals.class, ReadPoint.atLeast(more), Totals::applied);

            assertThat(applied).as("the events applied by this instance: 100 restored, 1 new").isEqualTo(101);
            assertThat(second.projections().<Map<String, Long>>state("totals")).containsEntry("a", 101L);
            assertThat(second.projections().verify("totals").ok()).isTrue();
        }
    }

    @Test
    void a_synchronous_projection_with_snapshots_restores_too_and_stays_read_your_writes() {
        ProjectionSettings sync = ProjectionSettings.sync().snapshotEvery(10, Duration.ZERO);
        try (Rewind first = start(sync)) {
            for (int i = 0; i < 25; i++) {
                add(first, "b", 2);
            }
        }
        try (Rewind second = start(sync)) {
            add(second, "b", 2);

            assertThat(second.projections().<Map<String, Long>>state("totals")).containsEntry("b", 52L);
            assertThat(second.projections().query(Totals.class, Totals::applied)).isEqualTo(26);
            ProjectionStatus status = second.projections().status("totals");
            assertThat(status.state()).isEqualTo(ProjectionStatus.State.LIVE);
            assertThat(status.lag()).isZero();
        }
    }
}
