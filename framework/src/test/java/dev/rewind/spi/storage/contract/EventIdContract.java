package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractContext.awaitSize;
import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.NotRegistered;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.UnknownEventTypeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Atomicity, event ids and retries: a batch holding a stored id (or one id twice) is rejected whole,
 * naming the id; the exact same batch again returns the original result and writes nothing; the checks
 * come in the order exact retry, duplicate id, expected version.
 */
public interface EventIdContract extends ContractContext {
    @Test
    default void a_batch_holding_a_stored_id_is_rejected_naming_the_id_and_nothing_of_it_is_written() {
        UUID taken = UUID.randomUUID();
        store().append("order-1", ExpectedVersion.noStream(), List.of(new NewEvent(taken, new Placed("order-1", 1), Metadata.EMPTY)));
        NewEvent fresh = NewEvent.of(new Placed("order-2", 1));
        NewEvent clash = new NewEvent(taken, new Placed("order-2", 2), Metadata.EMPTY);
        NewEvent after = NewEvent.of(new Added("order-2", "x", 1));

        assertThatThrownBy(() -> store().append("order-2", ExpectedVersion.any(), List.of(fresh, clash, after)))
                .isInstanceOf(DuplicateEventIdException.class)
                .hasMessage("duplicate event id " + taken
                        + ": already stored at global position 0 (stream 'order-1' version 0); nothing of this batch was written")
                .satisfies(e -> assertThat(((DuplicateEventIdException) e).eventId()).isEqualTo(taken));

        assertThat(store().nextPosition()).isEqualTo(1);
        assertThat(store().lastVersion("order-2")).isEqualTo(-1);
        assertThat(store().positionOf(fresh.eventId())).isEqualTo(-1);
        assertThat(store().positionOf(after.eventId())).isEqualTo(-1);
        assertThat(store().readAll(0, 10)).extracting(StoredEvent::eventId).containsExactly(taken);
    }

    @Test
    default void an_id_that_appears_twice_in_one_batch_is_rejected_and_nothing_is_written() {
        UUID id = UUID.randomUUID();
        List<NewEvent> batch = List.of(NewEvent.of(new Placed("o", 0)), new NewEvent(id, new Placed("o", 1), Metadata.EMPTY),
                new NewEvent(id, new Added("o", "x", 1), Metadata.EMPTY));

        assertThatThrownBy(() -> store().append("o", ExpectedVersion.noStream(), batch))
                .isInstanceOf(DuplicateEventIdException.class)
                .hasMessage("duplicate event id " + id + ": it appears twice in the same batch");
        assertThat(store().nextPosition()).isZero();
        assertThat(store().lastVersion("o")).isEqualTo(-1);
    }

    @Test
    default void the_exact_same_batch_appended_again_returns_the_original_result_and_writes_nothing() {
        List<NewEvent> batch = List.of(
                new NewEvent(UUID.randomUUID(), new Placed("order-1", 1), new Metadata("corr-1", "cmd-1", Map.of("user", "ann"))),
                new NewEvent(UUID.randomUUID(), new Added("order-1", "sku-1", 250), Metadata.EMPTY));
        AppendResult first = store().append("order-1", ExpectedVersion.noStream(), batch);
        store().append("order-2", ExpectedVersion.noStream(), List.of(new Placed("order-2", 1)));
        List<StoredEvent<?>> seen = new CopyOnWriteArrayList<>();
        store().subscribe(seen::add);
        clock().advance(Duration.ofMinutes(5));

        AppendResult retry = store().append("order-1", ExpectedVersion.noStream(), batch);

        assertThat(retry.alreadyAppended()).isTrue();
        assertThat(retry.streamId()).isEqualTo("order-1");
        assertThat(retry.events()).isEqualTo(first.events());
        assertThat(store().nextPosition()).isEqualTo(3);
        assertThat(store().lastVersion("order-1")).isEqualTo(1);

        store().append("order-3", ExpectedVersion.noStream(), List.of(new Placed("order-3", 1)));
        awaitSize(seen, 1);
        assertThat(seen).extracting(StoredEvent::streamId).containsExactly("order-3");
    }

    @Test
    default void an_exact_retry_is_recognised_whatever_the_expected_version() {
        List<NewEvent> batch = List.of(NewEvent.of(new Placed("o", 1)));
        AppendResult first = store().append("o", ExpectedVersion.noStream(), batch);
        store().append("o", ExpectedVersion.exactly(0), List.of(new Added("o", "x", 1)));

        for (ExpectedVersion expected : List.of(ExpectedVersion.any(), ExpectedVersion.noStream(),
                ExpectedVersion.exactly(0), ExpectedVersion.exactly(1), ExpectedVersion.exactly(9))) {
            AppendResult retry = store().append("o", expected, batch);
            assertThat(retry.alreadyAppended()).as("retry expecting %s", expected).isTrue();
            assertThat(retry.events()).isEqualTo(first.events());
        }
        assertThat(store().nextPosition()).isEqualTo(2);
    }

    @Test
    default void the_same_id_with_different_content_is_a_duplicate_never_a_retry() {
        UUID id = UUID.randomUUID();
        Metadata metadata = new Metadata("corr", null, Map.of("k", "v"));
        store().append("o", ExpectedVersion.noStream(), List.of(new NewEvent(id, new Placed("o", 1), metadata)));
        String message = "duplicate event id " + id
                + ": already stored at global position 0 (stream 'o' version 0); nothing of this batch was written";

        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(new NewEvent(id, new Placed("o", 2), metadata))))
                .as("other payload").isInstanceOf(DuplicateEventIdException.class).hasMessage(message);
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(new NewEvent(id, new Added("o", "x", 1), metadata))))
                .as("other type").isInstanceOf(DuplicateEventIdException.class).hasMessage(message);
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(),
                List.of(new NewEvent(id, new Placed("o", 1), metadata.with("k", "other")))))
                .as("other metadata").isInstanceOf(DuplicateEventIdException.class).hasMessage(message);
        assertThatThrownBy(() -> store().append("elsewhere", ExpectedVersion.any(), List.of(new NewEvent(id, new Placed("o", 1), metadata))))
                .as("other stream").isInstanceOf(DuplicateEventIdException.class).hasMessage(message);
        assertThat(store().nextPosition()).isEqualTo(1);
        assertThat(store().lastVersion("elsewhere")).isEqualTo(-1);
    }

    @Test
    default void part_of_a_stored_batch_or_a_stored_batch_with_more_events_is_a_duplicate_never_a_retry() {
        NewEvent a = NewEvent.of(new Placed("o", 1));
        NewEvent b = NewEvent.of(new Added("o", "x", 1));
        NewEvent c = NewEvent.of(new Added("o", "y", 2));
        store().append("o", ExpectedVersion.noStream(), List.of(a, b));

        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(a)))
                .as("a prefix").isInstanceOf(DuplicateEventIdException.class).hasMessageContaining(a.eventId().toString());
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(b)))
                .as("a suffix").isInstanceOf(DuplicateEventIdException.class).hasMessageContaining(b.eventId().toString());
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(b, a)))
                .as("reordered").isInstanceOf(DuplicateEventIdException.class);
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(a, b, c)))
                .as("longer").isInstanceOf(DuplicateEventIdException.class).hasMessageContaining(a.eventId().toString());
        assertThat(store().nextPosition()).isEqualTo(2);
        assertThat(store().positionOf(c.eventId())).isEqualTo(-1);
    }

    @Test
    default void checks_come_in_this_order_exact_retry_then_duplicate_id_then_expected_version() {
        NewEvent first = NewEvent.of(new Placed("o", 1));
        store().append("o", ExpectedVersion.noStream(), List.of(first));

        assertThat(store().append("o", ExpectedVersion.exactly(5), List.of(first)).alreadyAppended()).isTrue();
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.exactly(5), List.of(NewEvent.of(new Added("o", "x", 1)), first)))
                .isInstanceOf(DuplicateEventIdException.class);
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.exactly(5), List.of(NewEvent.of(new Added("o", "x", 1)))))
                .isInstanceOf(ConcurrencyConflictException.class);
        assertThat(store().nextPosition()).isEqualTo(1);
    }

    @Test
    default void an_append_needs_a_stream_and_at_least_one_event() {
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("append to 'o' needs at least one event");
        assertThatThrownBy(() -> store().append(" ", ExpectedVersion.any(), List.of(new Placed("o", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stream id must not be null or blank");
        assertThatThrownBy(() -> store().appendRaw(null, ExpectedVersion.any(), List.of(RawEvent.of("Placed", 1, "{}"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stream id must not be null or blank");
        assertThat(store().nextPosition()).isZero();
    }

    @Test
    default void an_unregistered_payload_class_is_rejected_and_nothing_of_its_batch_is_written() {
        assertThatThrownBy(() -> store().append("o", ExpectedVersion.any(), List.of(new Placed("o", 1), new NotRegistered("o"))))
                .isInstanceOf(UnknownEventTypeException.class)
                .hasMessageContaining(NotRegistered.class.getName());
        assertThat(store().nextPosition()).isZero();
    }
}
