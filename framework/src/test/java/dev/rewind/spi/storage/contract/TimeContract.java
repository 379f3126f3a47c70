package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ExpectedVersion;
import dev.rewind.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Time: {@code readByTime}'s range includes its start and excludes its end, {@code positionAfter}, and
 * {@code recordedAt}: from the store's clock, one instant per batch, never decreasing.
 */
public interface TimeContract extends ContractContext {
    @Test
    default void a_time_range_includes_its_start_and_excludes_its_end() {
        appendAt(T0, "a");
        appendAt(T0.plusSeconds(1), "b");
        appendAt(T0.plusSeconds(2), "c");

        assertThat(streamsOf(store().readByTime(T0.plusSeconds(1), T0.plusSeconds(2)))).containsExactly("b");
        assertThat(streamsOf(store().readByTime(T0, T0.plusSeconds(3)))).containsExactly("a", "b", "c");
        assertThat(streamsOf(store().readByTime(T0.plusMillis(1), T0.plusSeconds(2).plusMillis(1)))).containsExactly("b", "c");
        assertThat(streamsOf(store().readByTime(T0.minusSeconds(60), T0))).isEmpty();
        assertThat(streamsOf(store().readByTime(T0.plusSeconds(3), T0.plusSeconds(60)))).isEmpty();
    }

    @Test
    default void a_time_range_with_start_after_end_is_an_empty_list_not_an_error() {
        appendAt(T0, "a");
        appendAt(T0.plusSeconds(1), "b");

        assertThat(store().readByTime(T0.plusSeconds(2), T0)).isEmpty();
        assertThat(store().readByTime(T0.plusSeconds(1), T0)).isEmpty();
    }

    @Test
    default void a_time_range_with_start_equal_to_end_is_empty() {
        appendAt(T0, "a");
        assertThat(store().readByTime(T0, T0)).isEmpty();
    }

    @Test
    default void a_null_time_bound_is_an_illegal_argument() {
        assertThatThrownBy(() -> store().readByTime(null, T0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time range bounds must not be null (start=null, end=2024-05-01T12:00:00Z)");
        assertThatThrownBy(() -> store().readByTime(T0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time range bounds must not be null (start=2024-05-01T12:00:00Z, end=null)");
    }

    @Test
    default void the_position_after_an_instant_counts_the_events_recorded_at_or_before_it() {
        appendAt(T0, "a");
        appendAt(T0.plusSeconds(1), "b");
        appendAt(T0.plusSeconds(1), "c");

        assertThat(store().firstPositionAfter(T0.minusSeconds(1))).isZero();
        assertThat(store().firstPositionAfter(T0)).isEqualTo(1);
        assertThat(store().firstPositionAfter(T0.plusMillis(500))).isEqualTo(1);
        assertThat(store().firstPositionAfter(T0.plusSeconds(1))).isEqualTo(3);
        assertThat(store().firstPositionAfter(T0.plusSeconds(60))).isEqualTo(3);
    }

    @Test
    default void the_first_position_at_or_after_an_instant_includes_the_events_stamped_exactly_then() {
        appendAt(T0, "a");
        appendAt(T0.plusSeconds(1), "b");
        appendAt(T0.plusSeconds(1), "c");

        assertThat(store().firstPositionAtOrAfter(T0.minusSeconds(1))).isZero();
        assertThat(store().firstPositionAtOrAfter(T0)).isZero();
        assertThat(store().firstPositionAtOrAfter(T0.plusNanos(1))).isEqualTo(1);
        assertThat(store().firstPositionAtOrAfter(T0.plusSeconds(1))).as("a checkpoint 'at T' keeps what is stamped T")
                .isEqualTo(1);
        assertThat(store().firstPositionAtOrAfter(T0.plusSeconds(60))).isEqualTo(3);
        assertThat(store().readAll(store().firstPositionAtOrAfter(T0.plusSeconds(1)), 10))
                .isEqualTo(store().readByTime(T0.plusSeconds(1), T0.plusSeconds(2)));
    }
    // ---------------------------------------------------------------- recordedAt

    @Test
    default void recorded_at_comes_from_the_stores_clock() {
        clock().set(T0.plusSeconds(42));
        StoredEvent<?> e = store().append("s", ExpectedVersion.noStream(), List.of(new Placed("s", 1))).events().get(0);
        assertThat(e.recordedAt()).isEqualTo(T0.plusSeconds(42));
        assertThat(store().readAll(0, 1).get(0).recordedAt()).isEqualTo(T0.plusSeconds(42));
    }

    @Test
    default void all_events_of_one_batch_share_one_instant() {
        clock().stepEachRead(Duration.ofSeconds(1));
        AppendResult first = store().append("s", ExpectedVersion.noStream(),
                List.of(new Placed("s", 1), new Added("s", "a", 1), new Added("s", "b", 2)));
        AppendResult second = store().append("s", ExpectedVersion.exactly(2), List.of(new Added("s", "c", 3), new Added("s", "d", 4)));

        Instant batch1 = first.events().get(0).recordedAt();
        Instant batch2 = second.events().get(0).recordedAt();
        assertThat(store().readAll(0, 10)).extracting(StoredEvent::recordedAt)
                .containsExactly(batch1, batch1, batch1, batch2, batch2);
        assertThat(batch2).isAfter(batch1);
    }

    @Test
    default void a_clock_that_steps_back_is_clamped_so_recorded_at_never_decreases() {
        clock().set(T0.plusSeconds(10));
        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        clock().set(T0);
        StoredEvent<?> back = store().append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1))).events().get(0);
        clock().set(T0.plusSeconds(20));
        store().append("c", ExpectedVersion.noStream(), List.of(new Placed("c", 1)));

        assertThat(back.recordedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(store().readAll(0, 10)).extracting(StoredEvent::recordedAt)
                .containsExactly(T0.plusSeconds(10), T0.plusSeconds(10), T0.plusSeconds(20));
        assertThat(streamsOf(store().readByTime(T0.plusSeconds(10), T0.plusSeconds(11)))).containsExactly("a", "b");
        assertThat(store().readByTime(T0, T0.plusSeconds(10))).isEmpty();
        assertThat(store().firstPositionAfter(T0.plusSeconds(10))).isEqualTo(2);
    }

    // ---------------------------------------------------------------- helpers

    private void appendAt(Instant at, String stream) {
        clock().set(at);
        store().append(stream, ExpectedVersion.any(), List.of(new Placed(stream, 1)));
    }

    private static List<String> streamsOf(List<StoredEvent<?>> events) {
        return events.stream().map(StoredEvent::streamId).toList();
    }
}
