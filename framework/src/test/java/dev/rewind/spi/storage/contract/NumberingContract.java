package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.NotRegistered;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ConcurrencyConflictException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.UnknownEventTypeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Numbering and expected version: stream versions and global positions from 0, gap-free, untouched by a
 * rejected append; {@code noStream}, {@code exactly(n)} and {@code any} with the conflict's message.
 */
public interface NumberingContract extends ContractContext {
    @Test
    default void a_streams_first_event_has_version_0_and_the_stores_first_event_position_0() {
        var result = store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("order-1", 3)));
        assertThat(result.events()).singleElement().satisfies(e -> {
            assertThat(e.streamVersion()).isZero();
            assertThat(e.globalPosition()).isZero();
            assertThat(e.streamId()).isEqualTo("order-1");
            assertThat(e.type()).isEqualTo("Placed");
            assertThat(e.schemaVersion()).isEqualTo(1);
            assertThat(e.payload()).isEqualTo(new Placed("order-1", 3));
            assertThat(e.metadata()).isEqualTo(Metadata.EMPTY);
        });
        assertThat(result.alreadyAppended()).isFalse();
    }

    @Test
    default void stream_versions_and_global_positions_are_gap_free_across_streams_and_batches() {
        AppendResult a1 = store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1), new Added("a", "x", 1)));
        AppendResult b1 = store().append("b", ExpectedVersion.noStream(), List.of(new Placed("b", 1)));
        AppendResult a2 = store().append("a", ExpectedVersion.exactly(1),
                List.of(new Added("a", "y", 2), new Added("a", "z", 3), new Added("a", "w", 4)));

        assertThat(a1.firstPosition()).isZero();
        assertThat(a1.lastPosition()).isEqualTo(1);
        assertThat(a1.lastStreamVersion()).isEqualTo(1);
        assertThat(b1.firstPosition()).isEqualTo(2);
        assertThat(b1.lastStreamVersion()).isZero();
        assertThat(a2.firstPosition()).isEqualTo(3);
        assertThat(a2.lastPosition()).isEqualTo(5);
        assertThat(a2.lastStreamVersion()).isEqualTo(4);

        assertThat(store().readStream("a", 0)).extracting(StoredEvent::streamVersion).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(store().readStream("a", 0)).extracting(StoredEvent::globalPosition).containsExactly(0L, 1L, 3L, 4L, 5L);
        assertThat(store().readAll(0, 100)).extracting(StoredEvent::globalPosition).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(store().lastVersion("a")).isEqualTo(4);
        assertThat(store().lastVersion("b")).isZero();
        assertThat(store().lastVersion("never-written")).isEqualTo(-1);
        assertThat(store().nextPosition()).isEqualTo(6);
    }

    @Test
    default void a_rejected_append_uses_up_no_version_and_no_position() {
        store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 1)));
        assertThatThrownBy(() -> store().append("a", ExpectedVersion.noStream(), List.of(new Placed("a", 2))))
                .isInstanceOf(ConcurrencyConflictException.class);
        assertThatThrownBy(() -> store().append("b", ExpectedVersion.any(), List.of(new NotRegistered("b"))))
                .isInstanceOf(UnknownEventTypeException.class);

        AppendResult next = store().append("a", ExpectedVersion.exactly(0), List.of(new Added("a", "x", 1)));
        assertThat(next.firstPosition()).isEqualTo(1);
        assertThat(next.lastStreamVersion()).isEqualTo(1);
        assertThat(store().nextPosition()).isEqualTo(2);
        assertThat(store().lastVersion("b")).isEqualTo(-1);
    }

    // ---------------------------------------------------------------- expected version

    @Test
    default void no_stream_succeeds_only_on_a_stream_that_holds_no_event() {
        store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("order-1", 1)));

        assertThatThrownBy(() -> store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("order-1", 2))))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'order-1': expected no stream, but the stream is at version 0");
        assertThat(store().readStream("order-1", 0)).hasSize(1);
    }

    @Test
    default void exactly_n_succeeds_only_when_the_streams_last_version_is_n() {
        store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("order-1", 1)));
        store().append("order-1", ExpectedVersion.exactly(0), List.of(new Added("order-1", "x", 1)));

        ConcurrencyConflictException stale = catchConflict(
                () -> store().append("order-1", ExpectedVersion.exactly(0), List.of(new Added("order-1", "y", 2))));
        assertThat(stale).hasMessage("concurrency conflict on stream 'order-1': expected version 0, but the stream is at version 1");
        assertThat(stale.streamId()).isEqualTo("order-1");
        assertThat(stale.expected()).isEqualTo(ExpectedVersion.exactly(0));
        assertThat(stale.actualLastVersion()).isEqualTo(1);

        assertThatThrownBy(() -> store().append("order-1", ExpectedVersion.exactly(7), List.of(new Added("order-1", "y", 2))))
                .hasMessage("concurrency conflict on stream 'order-1': expected version 7, but the stream is at version 1");
        ConcurrencyConflictException missing = catchConflict(
                () -> store().append("order-2", ExpectedVersion.exactly(0), List.of(new Placed("order-2", 1))));
        assertThat(missing).hasMessage("concurrency conflict on stream 'order-2': expected version 0, but the stream does not exist yet");
        assertThat(missing.actualLastVersion()).isEqualTo(-1);

        assertThat(store().append("order-1", ExpectedVersion.exactly(1), List.of(new Added("order-1", "y", 2))).lastStreamVersion())
                .isEqualTo(2);
        assertThat(store().nextPosition()).isEqualTo(3);
    }

    @Test
    default void any_appends_whatever_the_stream_holds() {
        assertThat(store().append("s", ExpectedVersion.any(), List.of(new Placed("s", 1))).lastStreamVersion()).isZero();
        assertThat(store().append("s", ExpectedVersion.any(), List.of(new Placed("s", 2))).lastStreamVersion()).isEqualTo(1);
    }

    private static ConcurrencyConflictException catchConflict(Runnable append) {
        try {
            append.run();
        } catch (ConcurrencyConflictException e) {
            return e;
        }
        throw new AssertionError("expected a ConcurrencyConflictException");
    }
}
