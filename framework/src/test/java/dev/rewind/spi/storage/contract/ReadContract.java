package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static dev.rewind.spi.storage.contract.ContractFixtures.Shipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads through the store: a stream from a version (whole, with a limit, or from its end), everything
 * from a position up to a maximum, by type, and a stream longer than a page.
 */
public interface ReadContract extends ContractContext {
    @Test
    default void a_stream_is_read_from_a_version_inclusive() {
        store().append("o", ExpectedVersion.noStream(), List.of(new Placed("o", 1), new Added("o", "a", 1), new Added("o", "b", 2)));
        store().append("other", ExpectedVersion.noStream(), List.of(new Placed("other", 1)));

        assertThat(store().readStream("o", 0)).extracting(StoredEvent::streamVersion).containsExactly(0L, 1L, 2L);
        assertThat(store().readStream("o", 2)).extracting(e -> (Object) e.payload()).containsExactly(new Added("o", "b", 2));
        assertThat(store().readStream("o", 3)).isEmpty();
        assertThat(store().readStream("unknown", 0)).isEmpty();
        assertThatThrownBy(() -> store().readStream("o", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fromVersion must be 0 or more, was -1");
    }

    @Test
    default void a_stream_is_read_with_a_limit_and_from_its_end() {
        store().append("o", ExpectedVersion.noStream(), List.of(new Placed("o", 1), new Added("o", "a", 1), new Added("o", "b", 2)));
        store().append("o", ExpectedVersion.exactly(2), List.of(new Added("o", "c", 3)));
        store().append("other", ExpectedVersion.noStream(), List.of(new Placed("other", 1)));

        assertThat(store().readStream("o", 1, 2)).extracting(StoredEvent::streamVersion).containsExactly(1L, 2L);
        assertThat(store().readStream("o", 3, 10)).extracting(StoredEvent::streamVersion).containsExactly(3L);
        assertThat(store().readStream("o", 0, 0)).isEmpty();
        assertThat(store().readStreamBackward("o", Long.MAX_VALUE, 2)).extracting(StoredEvent::streamVersion)
                .containsExactly(3L, 2L);
        assertThat(store().readStreamBackward("o", 1, 10)).extracting(StoredEvent::streamVersion).containsExactly(1L, 0L);
        assertThat(store().readStreamBackward("unknown", Long.MAX_VALUE, 10)).isEmpty();
        assertThat(store().lastEvent("o")).get().extracting(e -> (Object) e.payload()).isEqualTo(new Added("o", "c", 3));
        assertThat(store().lastEvent("unknown")).isEmpty();
        assertThatThrownBy(() -> store().readStream("o", 0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxCount must be 0 or more, was -1");
        assertThatThrownBy(() -> store().readStreamBackward("o", -1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fromVersion must be 0 or more, was -1");
    }

    @Test
    default void a_long_stream_is_read_replayed_and_queried_whole_across_pages() {
        List<Added> many = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            many.add(new Added("long", "sku-" + i, i));
        }
        store().append("long", ExpectedVersion.noStream(), many);
        List<StoredEvent<?>> read = store().readStream("long", 1);
        assertThat(read).hasSize(2_499);
        assertThat(read.get(2_498).payload()).isEqualTo(new Added("long", "sku-2499", 2_499));
        assertThat(store().readByTime(T0, T0.plusSeconds(1))).hasSize(2_500);
        List<Long> replayed = new ArrayList<>();
        assertThat(store().replayFrom(read.get(999).eventId(), e -> replayed.add(e.globalPosition()))).isEqualTo(1_500);
        assertThat(replayed).first().isEqualTo(1_000L);
        assertThat(replayed).last().isEqualTo(2_499L);
        assertThat(store().readByType("Added", 1_024)).hasSize(1_476);
    }

    @Test
    default void everything_is_read_from_a_global_position_inclusive_up_to_a_maximum() {
        for (int i = 0; i < 5; i++) {
            store().append("s-" + i, ExpectedVersion.noStream(), List.of(new Placed("s-" + i, i)));
        }
        assertThat(store().readAll(0, 100)).extracting(StoredEvent::globalPosition).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(store().readAll(2, 2)).extracting(StoredEvent::streamId).containsExactly("s-2", "s-3");
        assertThat(store().readAll(4, 10)).extracting(StoredEvent::streamId).containsExactly("s-4");
        assertThat(store().readAll(5, 10)).isEmpty();
        assertThat(store().readAll(0, 0)).isEmpty();
        assertThatThrownBy(() -> store().readAll(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fromPosition must be 0 or more, was -1");
    }

    @Test
    default void events_are_read_by_type_from_a_position_in_global_order() {
        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1), new Added("a", "x", 1)));
        store().append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1)));
        store().append("a", ExpectedVersion.exactly(1), List.of(new Added("a", "y", 2)));

        assertThat(store().readByType("Placed", 0)).extracting(StoredEvent::globalPosition).containsExactly(0L, 2L);
        assertThat(store().readByType("Added", 0)).extracting(StoredEvent::globalPosition).containsExactly(1L, 3L);
        assertThat(store().readByType("Added", 2)).extracting(e -> (Object) e.payload()).containsExactly(new Added("a", "y", 2));
        assertThat(store().readByType("Added", 4)).isEmpty();
        assertThat(store().readByType("Shipped", 0)).isEmpty();
    }
}
