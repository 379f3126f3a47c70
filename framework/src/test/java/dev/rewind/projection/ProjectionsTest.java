package dev.rewind.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.ProjectionStatus;
import dev.rewind.Projections;
import dev.rewind.Rewind;
import dev.rewind.annotation.EventHandler;
import dev.rewind.annotation.Projection;
import dev.rewind.annotation.QueryState;
import dev.rewind.projection.Counters.Incremented;
import dev.rewind.projection.Counters.Reset;
import dev.rewind.storage.memory.InMemoryStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Live projections, rebuilds, temporal queries and failure isolation. */
class ProjectionsTest {
    private static final Instant T0 = Instant.parse("2024-05-01T15:00:00Z");
    private final TestClock clock = new TestClock(T0);

    private Rewind.Builder builder() {
        return Rewind.builder().discoverPlugins(false).clock(clock).eventTypes(Counters.EVENTS)
                .projection(Counters.Values.class).projection(Counters.EventCounts.class);
    }

    /** Appends one event per second: a+1 at T0, b+2 at T0+1s, a reset at T0+2s, a+5 at T0+3s. */
    private void appendFour(Rewind rewind) {
        rewind.store().append("a", ExpectedVersion.any(), List.of(new Incremented("a", 1)));
        clock.advance(Duration.ofSeconds(1));
        rewind.store().append("b", ExpectedVersion.any(), List.of(new Incremented("b", 2)));
        clock.advance(Duration.ofSeconds(1));
        rewind.store().append("a", ExpectedVersion.any(), List.of(new Reset("a")));
        clock.advance(Duration.ofSeconds(1));
        rewind.store().append("a", ExpectedVersion.any(), List.of(new Incremented("a", 5)));
    }

    @Test
    void live_projections_see_every_appended_event_once_in_order() {
        try (Rewind rewind = builder().build()) {
            appendFour(rewind);
            Projections p = rewind.projections();

            assertThat(p.names()).containsExactly("counters", "event_counts");
            assertThat(p.<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 5, "b", 2));
            assertThat(p.<Map<String, Integer>>state("event_counts")).isEqualTo(Map.of("Incremented", 3, "Reset", 1));
            ProjectionStatus status = p.status("counters");
            assertThat(List.of(status.name(), status.lastPosition(), status.failedAt(), String.valueOf(status.error())))
                    .isEqualTo(List.of("counters", 3L, -1L, "null"));
        }
    }

    @Test
    void projections_catch_up_at_start_up_with_events_already_stored() {
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind first = builder().storage(storage).discoverPlugins(false).build()) {
            appendFour(first);
        }
        InMemoryStorage reopened = storage; // the in-memory storage keeps its events while referenced
        Rewind second = builder().storage(reopened).build();
        assertThat(second.projections().<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 5, "b", 2));
        second.store().append("b", ExpectedVersion.any(), List.of(new Incremented("b", 1)));
        assertThat(second.projections().<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 5, "b", 3));
        assertThat(second.projections().status("counters").lastPosition()).isEqualTo(4);
    }

    @Test
    void a_rebuild_from_zero_ends_in_the_live_state() {
        try (Rewind rewind = builder().build()) {
            appendFour(rewind);
            Map<String, Integer> live = rewind.projections().state("counters");

            rewind.projections().rebuild("counters");

            assertThat(rewind.projections().<Map<String, Integer>>state("counters")).isEqualTo(live);
            assertThat(rewind.projections().status("counters").lastPosition()).isEqualTo(3);
            rewind.store().append("a", ExpectedVersion.any(), List.of(new Incremented("a", 1)));
            assertThat(rewind.projections().<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 6, "b", 2));
        }
    }

    @Test
    void the_state_before_the_first_event_is_empty() {
        try (Rewind rewind = builder().build()) {
            appendFour(rewind);
            Projections p = rewind.projections();

            assertThat(p.<Map<String, Integer>>stateAt("counters", T0.minusNanos(1))).isEmpty();
            assertThat(p.<Map<String, Integer>>stateAtPosition("counters", -1)).isEmpty();
        }
    }

    @Test
    void the_state_after_the_last_event_equals_the_live_state() {
        try (Rewind rewind = builder().build()) {
            appendFour(rewind);
            Projections p = rewind.projections();
            Map<String, Integer> live = p.state("counters");

            assertThat(p.<Map<String, Integer>>stateAt("counters", T0.plusSeconds(3))).isEqualTo(live);
            assertThat(p.<Map<String, Integer>>stateAt("counters", T0.plusSeconds(3600))).isEqualTo(live);
            assertThat(p.<Map<String, Integer>>stateAtPosition("counters", 3)).isEqualTo(live);
            assertThat(p.<Map<String, Integer>>stateAtPosition("counters", 99)).isEqualTo(live);
        }
    }

    @Test
    void the_state_between_two_events_includes_the_earlier_only() {
        try (Rewind rewind = builder().build()) {
            appendFour(rewind);
            Projections p = rewind.projections();

            assertThat(p.<Map<String, Integer>>stateAt("counters", T0.plusMillis(1500))).isEqualTo(Map.of("a", 1, "b", 2));
            assertThat(p.<Map<String, Integer>>stateAt("counters", T0.plusSeconds(2))).isEqualTo(Map.of("a", 0, "b", 2));
            assertThat(p.<Map<String, Integer>>stateAtPosition("counters", 0)).isEqualTo(Map.of("a", 1));
            assertThat(p.<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 5, "b", 2));
        }
    }

    @Test
    void a_failing_projection_is_marked_failed_and_stops_while_the_others_go_on() {
        try (Rewind rewind = builder().projection(Counters.Fragile.class).build()) {
            rewind.store().append("a", ExpectedVersion.any(), List.of(new Incremented("a", 1)));
            rewind.store().append("boom", ExpectedVersion.any(), List.of(new Reset("boom")));
            rewind.store().append("a", ExpectedVersion.any(), List.of(new Incremented("a", 2)));
            Projections p = rewind.projections();

            ProjectionStatus status = p.status("fragile");
            assertThat(status.failed()).isTrue();
            assertThat(status.failedAt()).isEqualTo(1);
            assertThat(status.lastPosition()).isEqualTo(0);
            assertThat(status.error()).isEqualTo("java.lang.IllegalStateException: cannot reset boom");
            assertThat(p.<Integer>state("fragile")).isEqualTo(1);
            assertThat(p.<Map<String, Integer>>state("counters")).isEqualTo(Map.of("a", 3, "boom", 0));
            assertThat(p.status("counters").failed()).isFalse();
            assertThat(rewind.store().nextPosition()).isEqualTo(3);
        }
    }

    @Test
    void a_temporal_query_over_a_failing_event_names_the_projection_and_position() {
        try (Rewind rewind = builder().projection(Counters.Fragile.class).build()) {
            rewind.store().append("boom", ExpectedVersion.any(), List.of(new Reset("boom")));

            assertThatThrownBy(() -> rewind.projections().stateAtPosition("fragile", 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("projection 'fragile' failed on the event at global position 0 (Reset ");
        }
    }

    /** Its constructor throws. */
    @Projection("cannot_start")
    static class CannotStart {
        CannotStart() {
            throw new IllegalStateException("no config");
        }

        @EventHandler
        void on(Incremented e) {
        }

        @QueryState
        public int state() {
            return 0;
        }
    }

    @Test
    void a_projection_whose_constructor_throws_stops_start_up_with_its_name() {
        assertThatThrownBy(() -> builder().projection(CannotStart.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot create projection 'cannot_start': the constructor of " + CannotStart.class.getName()
                        + " threw java.lang.IllegalStateException: no config");
    }

    @Test
    void an_unknown_projection_name_is_a_clear_error() {
        try (Rewind rewind = builder().build()) {
            assertThatThrownBy(() -> rewind.projections().state("nope"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no projection named 'nope'; the registered ones are [counters, event_counts]");
        }
    }
}
