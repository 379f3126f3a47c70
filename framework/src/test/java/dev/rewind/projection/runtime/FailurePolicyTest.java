package dev.rewind.projection.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Rewind;
import dev.rewind.projection.Decision;
import dev.rewind.projection.FailurePolicy;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.projection.ProjectionSettings;
import dev.rewind.projection.ReadPoint;
import dev.rewind.projection.runtime.Fixtures.Added;
import dev.rewind.projection.runtime.Fixtures.FragileTotals;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failure policy, end to end: retries with backoff, then stop or park; a parked event holds back
 * only its own stream, in order; retry and skip through the API, each decision recorded, all of it kept
 * across a restart; verify counts parked and skipped events as what they are.
 */
class FailurePolicyTest {
    private static final FailurePolicy RETRY_THEN_PARK =
            FailurePolicy.retry(3, Duration.ofMillis(5), Duration.ofMillis(20)).thenPark();
    private final InMemoryStorage storage = new InMemoryStorage();

    @AfterEach
    void clearFailures() {
        Fixtures.FAILURES.clear();
    }

    private Rewind start(FailurePolicy policy) {
        return Rewind.builder().discoverPlugins(false).storage(storage).eventTypes(Fixtures.EVENTS)
                .projection(FragileTotals.class)
                .projectionSettings("fragile_totals", ProjectionSettings.async().failurePolicy(policy)).build();
    }

    private static AppendResult add(Rewind rewind, String stream, String counter) {
        return rewind.store().append(stream, ExpectedVersion.any(), List.of(new Added(counter, 1)));
    }

    @Test
    void a_failure_that_passes_within_the_attempts_is_retried_with_backoff_and_applied_in_order() {
        try (Rewind rewind = start(RETRY_THEN_PARK)) {
            Fixtures.FAILURES.put("flaky", 2);
            add(rewind, "s", "flaky");
            AppendResult last = add(rewind, "s", "flaky");

            Map<String, List<Long>> state = rewind.projections().state("fragile_totals", ReadPoint.atLeast(last));

            assertThat(state).containsEntry("s", List.of(0L, 1L));
            assertThat(rewind.projections().parked("fragile_totals")).isEmpty();
            assertThat(rewind.projections().decisions("fragile_totals")).isEmpty();
        }
    }

    @Test
    void a_parked_event_holds_back_its_stream_only_and_a_retry_applies_the_stream_in_order() {
        try (Rewind rewind = start(RETRY_THEN_PARK)) {
            Fixtures.FAILURES.put("bad", Integer.MAX_VALUE);
            add(rewind, "s1", "ok");
            add(rewind, "s1", "bad");      // position 1: fails every attempt, parked
            add(rewind, "s2", "ok");       // another stream goes on
            add(rewind, "s1", "ok");       // position 3: waits behind position 1
            AppendResult last = add(rewind, "s2", "ok");

            Map<String, List<Long>> state = rewind.projections().state("fragile_totals", ReadPoint.atLeast(last));
            assertThat(state).containsEntry("s1", List.of(0L)).containsEntry("s2", List.of(0L, 1L));
            List<ParkedEvent> parked = rewind.projections().parked("fragile_totals");
            assertThat(parked).extracting(ParkedEvent::position, ParkedEvent::behind, ParkedEvent::attempts)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, -1L, 3),
                            org.assertj.core.groups.Tuple.tuple(3L, 1L, 0));
            assertThat(parked.get(0).error()).isEqualTo("java.lang.IllegalStateException: staged failure for counter bad");
            ProjectionStatus status = rewind.projections().status("fragile_totals");
            assertThat(status.parked()).isEqualTo(2);
            assertThat(status.failed()).isFalse();
            assertThat(rewind.projections().verify("fragile_totals").ok()).isTrue();

            assertThat(rewind.projections().retryParked("fragile_totals", "s1", "still broken"))
                    .extracting(ParkedEvent::position).containsExactly(1L, 3L);
            Fixtures.FAILURES.clear();
            assertThat(rewind.projections().retryParked("fragile_totals", "s1", "fixed the handler")).isEmpty();

            assertThat(rewind.projections().<Map<String, List<Long>>>state("fragile_totals"))
                    .as("the stream's events in their order, each once").containsEntry("s1", List.of(0L, 1L, 2L));
            assertThat(rewind.projections().decisions("fragile_totals")).extracting(Decision::kind, Decision::position,
                    Decision::reason).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(Decision.Kind.PARKED, 1L,
                            "java.lang.IllegalStateException: staged failure for counter bad"),
                    org.assertj.core.groups.Tuple.tuple(Decision.Kind.RETRY_FAILED, 1L, "still broken"),
                    org.assertj.core.groups.Tuple.tuple(Decision.Kind.RETRIED, 1L, "fixed the handler"),
                    org.assertj.core.groups.Tuple.tuple(Decision.Kind.RETRIED, 3L, "fixed the handler"));
            assertThat(rewind.projections().verify("fragile_totals").ok()).isTrue();
        }
    }

    @Test
    void a_skip_is_recorded_the_stream_goes_on_and_everything_survives_a_restart() {
        try (Rewind rewind = start(RETRY_THEN_PARK)) {
            Fixtures.FAILURES.put("poison", Integer.MAX_VALUE);
            add(rewind, "s1", "poison");
            AppendResult last = add(rewind, "s1", "ok");
            rewind.projections().state("fragile_totals", ReadPoint.atLeast(last));

            assertThatThrownBy(() -> rewind.projections().skipParked("fragile_totals", 1, "no"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("waits behind position 0");
            assertThatThrownBy(() -> rewind.projections().skipParked("fragile_totals", 0, " "))
                    .hasMessage("a decision about a parked event needs a reason (it is recorded)");

            assertThat(rewind.projections().skipParked("fragile_totals", 0, "bad data, ticket 7")).isEmpty();
            assertThat(rewind.projections().<Map<String, List<Long>>>state("fragile_totals")).containsEntry("s1", List.of(1L));
            assertThat(rewind.projections().verify("fragile_totals").ok()).isTrue();
        }
        try (Rewind again = start(RETRY_THEN_PARK)) {
            assertThat(again.projections().decisions("fragile_totals")).extracting(Decision::kind, Decision::position)
                    .as("the event waiting behind the skipped one was applied next, and that is recorded too")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.Kind.PARKED, 0L),
                            org.assertj.core.groups.Tuple.tuple(Decision.Kind.SKIPPED, 0L),
                            org.assertj.core.groups.Tuple.tuple(Decision.Kind.RETRIED, 1L));
            assertThat(again.projections().decisions("fragile_totals").get(1).reason()).isEqualTo("bad data, ticket 7");
            assertThat(again.projections().parked("fragile_totals")).isEmpty();
        }
    }

    @Test
    void stop_is_the_default_the_projection_stops_at_the_event_and_its_lag_shows() {
        try (Rewind rewind = start(FailurePolicy.stop())) {
            Fixtures.FAILURES.put("bad", Integer.MAX_VALUE);
            add(rewind, "s1", "ok");
            add(rewind, "s1", "bad");
            add(rewind, "s2", "ok");

            assertThatThrownBy(() -> rewind.projections().state("fragile_totals",
                    ReadPoint.atLeast(2).within(Duration.ofSeconds(5))))
                    .isInstanceOf(dev.rewind.projection.StaleProjectionException.class)
                    .hasMessageContaining("it stopped at the event at position 1");
            ProjectionStatus status = rewind.projections().status("fragile_totals");
            assertThat(status.state()).isEqualTo(ProjectionStatus.State.FAILED);
            assertThat(status.failedAt()).isEqualTo(1);
            assertThat(status.lastPosition()).isZero();
            assertThat(status.lag()).isEqualTo(2);
            assertThat(status.lagSeconds()).isGreaterThanOrEqualTo(0);
            assertThat(status.error()).isEqualTo("java.lang.IllegalStateException: staged failure for counter bad");
        }
    }

    @Test
    void a_synchronous_projection_may_not_wait_between_attempts() {
        assertThatThrownBy(() -> ProjectionSettings.sync().failurePolicy(RETRY_THEN_PARK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would stall every append");
    }
}
