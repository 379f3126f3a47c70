package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replay: from an event id (that event and every later one), and of a position range {@code [from, to)}.
 */
public interface ReplayContract extends ContractContext {
    @Test
    default void replay_from_an_event_re_emits_that_event_and_every_later_one_in_global_order() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store().append("s-" + (i % 2), ExpectedVersion.any(), List.of(new Placed("s", i))).events().get(0).eventId());
        }
        List<StoredEvent<?>> replayed = new ArrayList<>();

        long count = store().replayFrom(ids.get(2), replayed::add);

        assertThat(count).isEqualTo(3);
        assertThat(replayed).extracting(StoredEvent::eventId).containsExactly(ids.get(2), ids.get(3), ids.get(4));
        assertThat(replayed).extracting(StoredEvent::globalPosition).containsExactly(2L, 3L, 4L);
        List<StoredEvent<?>> all = new ArrayList<>();
        assertThat(store().replayFrom(ids.get(0), all::add)).isEqualTo(5);
        assertThat(all).isEqualTo(store().readAll(0, 100));
    }

    @Test
    default void replay_from_an_unknown_event_id_is_an_error_naming_it() {
        store().append("s", ExpectedVersion.noStream(), List.of(new Placed("s", 1)));
        UUID unknown = UUID.fromString("00000000-0000-0000-0000-000000000042");
        List<StoredEvent<?>> replayed = new ArrayList<>();

        assertThatThrownBy(() -> store().replayFrom(unknown, replayed::add))
                .isInstanceOf(EventStoreException.class)
                .hasMessage("cannot replay from event 00000000-0000-0000-0000-000000000042: no stored event has that id");
        assertThat(replayed).isEmpty();
    }

    @Test
    default void replay_of_a_position_range_includes_from_and_excludes_to() {
        for (int i = 0; i < 4; i++) {
            store().append("s", ExpectedVersion.any(), List.of(new Placed("s", i)));
        }
        List<StoredEvent<?>> replayed = new ArrayList<>();
        assertThat(store().replay(1, 3, replayed::add)).isEqualTo(2);
        assertThat(replayed).extracting(StoredEvent::globalPosition).containsExactly(1L, 2L);
        assertThat(store().replay(3, Long.MAX_VALUE, e -> { })).isEqualTo(1);
    }
}
