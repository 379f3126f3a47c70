package dev.rewind.spi.storage.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.AppendNotifications;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The storage port driven directly, below the store: what a backend's eight methods return for
 * serialised events, so that a new backend is tested where it is written. Append outcomes are the
 * batch's numbers (an exact retry's are the original ones); duplicates and conflicts carry the
 * messages of {@link dev.rewind.storage.kernel.AppendRules}; {@code readStream} reads forward and
 * backward with a limit; {@code read} visits {@code [from, to)}; {@code firstPositionAtOrAfter} is
 * inclusive to the nanosecond; and a storage with {@link AppendNotifications} tells of its own appends
 * and, when it can be shared ({@link EventStorageContract#openAnother}), of appends made through
 * another instance on the same data.
 */
public interface StoragePortContract extends ContractContext {

    @Test
    default void port_an_append_returns_the_first_version_first_position_and_instant_of_its_batch() {
        EventStorage s = storage();
        List<SerializedEvent> a1 = batch("a1", 2);
        List<SerializedEvent> b1 = batch("b1", 1);
        List<SerializedEvent> a2 = batch("a2", 3);

        assertThat(s.append("a", ExpectedVersion.noStream(), a1, clock())).isEqualTo(new AppendOutcome(0, 0, T0, false));
        clock().set(T0.plusSeconds(1));
        assertThat(s.append("b", ExpectedVersion.noStream(), b1, clock()))
                .isEqualTo(new AppendOutcome(0, 2, T0.plusSeconds(1), false));
        clock().set(T0.plusSeconds(2));
        assertThat(s.append("a", ExpectedVersion.exactly(1), a2, clock()))
                .isEqualTo(new AppendOutcome(2, 3, T0.plusSeconds(2), false));

        assertThat(s.nextPosition()).isEqualTo(6);
        assertThat(s.lastVersion("a")).isEqualTo(4);
        assertThat(s.lastVersion("b")).isZero();
        assertThat(s.lastVersion("never-written")).isEqualTo(-1);
        assertThat(s.positionOf(a1.get(1).eventId())).isEqualTo(1);
        assertThat(s.positionOf(b1.get(0).eventId())).isEqualTo(2);
        assertThat(s.positionOf(a2.get(2).eventId())).isEqualTo(5);
        assertThat(s.positionOf(UUID.randomUUID())).isEqualTo(-1);
    }

    @Test
    default void port_a_storage_stores_exactly_what_it_is_given_and_reads_it_back_with_its_numbers() {
        SerializedEvent given = new SerializedEvent(UUID.randomUUID(), "Noted", 3,
                "{\"text\":\"caf\u00e9 \u4e2d\",\"n\":1}".getBytes(UTF_8),
                new Metadata("corr-1", "cause-1", Map.of("user", "ann", "tenant", "t-1")));
        clock().set(T0.plusNanos(123_456_789));
        storage().append("s", ExpectedVersion.noStream(), List.of(given), clock());

        List<StoredSerializedEvent> read = stored(0, Long.MAX_VALUE);
        assertThat(read).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo(given.eventId());
            assertThat(e.streamId()).isEqualTo("s");
            assertThat(e.streamVersion()).isZero();
            assertThat(e.globalPosition()).isZero();
            assertThat(e.type()).isEqualTo("Noted");
            assertThat(e.schemaVersion()).isEqualTo(3);
            assertThat(e.recordedAt()).isEqualTo(T0.plusNanos(123_456_789));
            assertThat(e.payload()).isEqualTo(given.payload());
            assertThat(e.metadata()).isEqualTo(given.metadata());
        });
        assertThat(storage().readStream("s", 0, 10, ReadDirection.FORWARD)).singleElement()
                .satisfies(e -> assertThat(given.sameContentAs(e)).isTrue());
    }

    @Test
    default void port_an_exact_retry_returns_the_original_numbers_and_writes_nothing() {
        EventStorage s = storage();
        List<SerializedEvent> batch = List.of(
                new SerializedEvent(UUID.randomUUID(), "Noted", 1, "{\"i\":0}".getBytes(UTF_8),
                        new Metadata("corr", null, Map.of("k", "v"))),
                new SerializedEvent(UUID.randomUUID(), "Noted", 1, "{\"i\":1}".getBytes(UTF_8), Metadata.EMPTY));
        s.append("o", ExpectedVersion.noStream(), batch, clock());
        clock().advance(Duration.ofMinutes(5));
        s.append("p", ExpectedVersion.noStream(), batch("p", 1), clock());

        AppendOutcome original = new AppendOutcome(0, 0, T0, true);
        assertThat(s.append("o", ExpectedVersion.exactly(7), batch, clock())).as("the same objects").isEqualTo(original);
        assertThat(s.append("o", ExpectedVersion.noStream(), copies(batch), clock()))
                .as("equal events, as a process that restarted would send them").isEqualTo(original);
        assertThat(s.nextPosition()).isEqualTo(3);
        assertThat(s.lastVersion("o")).isEqualTo(1);
    }

    @Test
    default void port_a_stored_id_or_an_id_twice_in_a_batch_is_a_duplicate_with_the_append_rules_message() {
        EventStorage s = storage();
        List<SerializedEvent> stored = batch("o", 2);
        s.append("o", ExpectedVersion.noStream(), stored, clock());
        UUID taken = stored.get(1).eventId();
        SerializedEvent fresh = batch("x", 1).get(0);

        assertThatThrownBy(() -> s.append("x", ExpectedVersion.any(), List.of(fresh, copies(stored).get(1)), clock()))
                .isInstanceOf(DuplicateEventIdException.class)
                .hasMessage("duplicate event id " + taken + ": already stored at global position 1 (stream 'o' version 1);"
                        + " nothing of this batch was written")
                .satisfies(e -> assertThat(((DuplicateEventIdException) e).eventId()).isEqualTo(taken));
        assertThatThrownBy(() -> s.append("o", ExpectedVersion.any(), List.of(stored.get(0)), clock()))
                .as("part of a stored batch").isInstanceOf(DuplicateEventIdException.class)
                .hasMessageContaining(stored.get(0).eventId().toString());
        SerializedEvent twice = batch("y", 1).get(0);
        assertThatThrownBy(() -> s.append("y", ExpectedVersion.any(), List.of(fresh, twice, twice), clock()))
                .isInstanceOf(DuplicateEventIdException.class)
                .hasMessage("duplicate event id " + twice.eventId() + ": it appears twice in the same batch");

        assertThat(s.nextPosition()).isEqualTo(2);
        assertThat(s.positionOf(fresh.eventId())).isEqualTo(-1);
        assertThat(s.lastVersion("x")).isEqualTo(-1);
        assertThat(s.lastVersion("y")).isEqualTo(-1);
    }

    @Test
    default void port_an_expected_version_that_does_not_match_is_a_conflict_with_the_append_rules_message() {
        EventStorage s = storage();
        s.append("o", ExpectedVersion.noStream(), batch("o", 1), clock());

        assertThatThrownBy(() -> s.append("o", ExpectedVersion.noStream(), batch("o", 1), clock()))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'o': expected no stream, but the stream is at version 0");
        assertThatThrownBy(() -> s.append("o", ExpectedVersion.exactly(4), batch("o", 1), clock()))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'o': expected version 4, but the stream is at version 0")
                .satisfies(e -> assertThat(((ConcurrencyConflictException) e).actualLastVersion()).isZero());
        assertThatThrownBy(() -> s.append("new", ExpectedVersion.exactly(0), batch("n", 1), clock()))
                .isInstanceOf(ConcurrencyConflictException.class)
                .hasMessage("concurrency conflict on stream 'new': expected version 0, but the stream does not exist yet");
        assertThat(s.nextPosition()).isEqualTo(1);
        assertThat(s.lastVersion("new")).isEqualTo(-1);
    }

    @Test
    default void port_checks_come_in_this_order_exact_retry_then_duplicate_id_then_expected_version() {
        EventStorage s = storage();
        List<SerializedEvent> first = batch("o", 1);
        s.append("o", ExpectedVersion.noStream(), first, clock());
        ExpectedVersion wrong = ExpectedVersion.exactly(5);

        assertThat(s.append("o", wrong, first, clock()).alreadyAppended()).isTrue();
        assertThatThrownBy(() -> s.append("o", wrong, List.of(batch("n", 1).get(0), first.get(0)), clock()))
                .isInstanceOf(DuplicateEventIdException.class);
        assertThatThrownBy(() -> s.append("o", wrong, batch("n", 1), clock()))
                .isInstanceOf(ConcurrencyConflictException.class);
        assertThat(s.nextPosition()).isEqualTo(1);
    }

    @Test
    default void port_a_stream_reads_forward_from_a_version_and_backward_from_one_with_a_limit() {
        EventStorage s = storage();
        s.append("a", ExpectedVersion.noStream(), batch("a", 3), clock());
        s.append("b", ExpectedVersion.noStream(), batch("b", 1), clock());
        s.append("a", ExpectedVersion.exactly(2), batch("a", 2), clock());

        assertThat(versions(s.readStream("a", 0, 100, ReadDirection.FORWARD))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(s.readStream("a", 0, 100, ReadDirection.FORWARD)).extracting(StoredSerializedEvent::globalPosition)
                .containsExactly(0L, 1L, 2L, 4L, 5L);
        assertThat(versions(s.readStream("a", 1, 2, ReadDirection.FORWARD))).containsExactly(1L, 2L);
        assertThat(versions(s.readStream("a", 4, 100, ReadDirection.FORWARD))).containsExactly(4L);
        assertThat(s.readStream("a", 5, 100, ReadDirection.FORWARD)).isEmpty();
        assertThat(s.readStream("a", 0, 0, ReadDirection.FORWARD)).isEmpty();

        assertThat(s.readStream("a", Long.MAX_VALUE, 1, ReadDirection.BACKWARD)).as("the last event alone")
                .singleElement().satisfies(e -> {
                    assertThat(e.streamVersion()).isEqualTo(4);
                    assertThat(e.globalPosition()).isEqualTo(5);
                });
        assertThat(versions(s.readStream("a", Long.MAX_VALUE, 2, ReadDirection.BACKWARD))).containsExactly(4L, 3L);
        assertThat(versions(s.readStream("a", Long.MAX_VALUE, 100, ReadDirection.BACKWARD)))
                .containsExactly(4L, 3L, 2L, 1L, 0L);
        assertThat(versions(s.readStream("a", 2, 100, ReadDirection.BACKWARD))).containsExactly(2L, 1L, 0L);
        assertThat(versions(s.readStream("a", 3, 2, ReadDirection.BACKWARD))).containsExactly(3L, 2L);
        assertThat(versions(s.readStream("a", 0, 5, ReadDirection.BACKWARD))).containsExactly(0L);
        assertThat(versions(s.readStream("a", 100, 1, ReadDirection.BACKWARD))).as("from past the last: the last")
                .containsExactly(4L);
        assertThat(s.readStream("a", Long.MAX_VALUE, 0, ReadDirection.BACKWARD)).isEmpty();

        assertThat(s.readStream("unknown", 0, 10, ReadDirection.FORWARD)).isEmpty();
        assertThat(s.readStream("unknown", Long.MAX_VALUE, 10, ReadDirection.BACKWARD)).isEmpty();
        assertThat(s.readStream("b", Long.MAX_VALUE, 10, ReadDirection.BACKWARD))
                .extracting(StoredSerializedEvent::globalPosition).containsExactly(3L);
    }

    @Test
    default void port_read_visits_a_position_range_including_from_and_excluding_to_in_global_order() {
        EventStorage s = storage();
        s.append("a", ExpectedVersion.noStream(), batch("a", 2), clock());
        s.append("b", ExpectedVersion.noStream(), batch("b", 1), clock());
        s.append("a", ExpectedVersion.exactly(1), batch("a", 2), clock());

        assertThat(positions(0, Long.MAX_VALUE)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(positions(1, 3)).containsExactly(1L, 2L);
        assertThat(positions(4, 100)).containsExactly(4L);
        assertThat(positions(3, 3)).isEmpty();
        assertThat(positions(5, Long.MAX_VALUE)).isEmpty();
        assertThat(positions(9, Long.MAX_VALUE)).isEmpty();
        assertThat(stored(0, Long.MAX_VALUE)).extracting(StoredSerializedEvent::streamId)
                .containsExactly("a", "a", "b", "a", "a");

        List<Long> seen = new ArrayList<>();
        assertThat(s.read(1, 4, e -> seen.add(e.globalPosition()))).as("the count it returns").isEqualTo(3);
        assertThat(seen).containsExactly(1L, 2L, 3L);
        assertThat(s.read(0, Long.MAX_VALUE, e -> { })).isEqualTo(5);
        assertThat(s.read(5, Long.MAX_VALUE, e -> { })).isZero();
    }

    @Test
    default void port_the_first_position_at_or_after_an_instant_includes_an_event_recorded_exactly_then() {
        EventStorage s = storage();
        assertThat(s.firstPositionAtOrAfter(T0)).as("empty").isZero();
        Instant late = T0.plusSeconds(2).plusNanos(123_456_789);
        clock().set(T0);
        s.append("a", ExpectedVersion.noStream(), batch("a", 1), clock());
        clock().set(T0.plusSeconds(1));
        s.append("b", ExpectedVersion.noStream(), batch("b", 2), clock());
        clock().set(late);
        s.append("c", ExpectedVersion.noStream(), batch("c", 1), clock());

        assertThat(s.firstPositionAtOrAfter(T0.minusSeconds(1))).isZero();
        assertThat(s.firstPositionAtOrAfter(T0)).as("inclusive").isZero();
        assertThat(s.firstPositionAtOrAfter(T0.plusNanos(1))).isEqualTo(1);
        assertThat(s.firstPositionAtOrAfter(T0.plusSeconds(1))).as("inclusive, a batch's first event").isEqualTo(1);
        assertThat(s.firstPositionAtOrAfter(T0.plusSeconds(1).plusNanos(1))).isEqualTo(3);
        assertThat(s.firstPositionAtOrAfter(late)).as("to the nanosecond").isEqualTo(3);
        assertThat(s.firstPositionAtOrAfter(late.plusNanos(1))).as("none: the next position").isEqualTo(4);
        assertThat(s.firstPositionAtOrAfter(T0.plusSeconds(3_600))).isEqualTo(4);
        assertThat(s.firstPositionAtOrAfter(Instant.MIN)).isZero();
        assertThat(s.firstPositionAtOrAfter(Instant.MAX)).isEqualTo(4);
        assertThat(stored(3, 4)).extracting(StoredSerializedEvent::recordedAt).containsExactly(late);
    }

    @Test
    default void port_the_next_position_counts_the_readable_events_and_moves_only_when_events_are_written() {
        EventStorage s = storage();
        assertThat(s.nextPosition()).isZero();
        List<SerializedEvent> batch = batch("o", 3);
        s.append("o", ExpectedVersion.noStream(), batch, clock());
        assertThat(s.nextPosition()).isEqualTo(3);

        s.append("o", ExpectedVersion.noStream(), batch, clock()); // an exact retry
        assertThatThrownBy(() -> s.append("o", ExpectedVersion.noStream(), batch("o", 1), clock()))
                .isInstanceOf(ConcurrencyConflictException.class);
        assertThatThrownBy(() -> s.append("p", ExpectedVersion.any(), List.of(batch("p", 1).get(0), batch.get(2)), clock()))
                .isInstanceOf(DuplicateEventIdException.class);
        assertThat(s.nextPosition()).isEqualTo(3);

        assertThat(s.append("p", ExpectedVersion.noStream(), batch("p", 2), clock()).firstPosition())
                .isEqualTo(3);
        assertThat(s.nextPosition()).isEqualTo(5).isEqualTo(stored(0, Long.MAX_VALUE).size());
    }

    @Test
    default void port_append_notifications_tell_of_the_storages_own_appends_with_the_next_position() throws Exception {
        assumeThat(storage()).as("a storage without AppendNotifications").isInstanceOf(AppendNotifications.class);
        BlockingQueue<Long> told = new LinkedBlockingQueue<>();
        ((AppendNotifications) storage()).onAppended(told::add);

        storage().append("o", ExpectedVersion.noStream(), batch("o", 2), clock());
        assertThat(awaitNotified(told, 2)).isEqualTo(2);
        storage().append("o", ExpectedVersion.exactly(1), batch("o", 1), clock());
        assertThat(awaitNotified(told, 3)).isEqualTo(3);
    }

    @Test
    default void port_append_notifications_tell_of_appends_made_through_another_instance_on_the_same_data()
            throws Exception {
        assumeThat(storage()).as("a storage without AppendNotifications").isInstanceOf(AppendNotifications.class);
        EventStorage other = openAnotherInstance();
        assumeThat(other).as("a storage that one process owns: nobody else appends to it").isNotNull();
        try (other) {
            BlockingQueue<Long> told = new LinkedBlockingQueue<>();
            ((AppendNotifications) storage()).onAppended(told::add);
            List<SerializedEvent> batch = batch("elsewhere", 2);

            other.append("elsewhere", ExpectedVersion.noStream(), batch, clock());

            assertThat(awaitNotified(told, 2)).isEqualTo(2);
            assertThat(storage().nextPosition()).isEqualTo(2);
            assertThat(stored(0, Long.MAX_VALUE)).extracting(StoredSerializedEvent::eventId)
                    .containsExactly(batch.get(0).eventId(), batch.get(1).eventId());

            other.append("elsewhere", ExpectedVersion.exactly(1), batch("elsewhere", 1), clock());
            assertThat(awaitNotified(told, 3)).isEqualTo(3);
            assertThat(storage().lastVersion("elsewhere")).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * @param label put in the payloads
     * @param n how many
     * @return {@code n} serialised events of type "Noted" with fresh ids and metadata naming {@code label}
     */
    private static List<SerializedEvent> batch(String label, int n) {
        List<SerializedEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] json = ("{\"label\":\"" + label + "\",\"i\":" + i + "}").getBytes(UTF_8);
            out.add(new SerializedEvent(UUID.randomUUID(), "Noted", 1, json,
                    Metadata.correlatedBy(label).with("i", Integer.toString(i))));
        }
        return out;
    }

    /** @return equal events in new objects, with copies of the bytes */
    private static List<SerializedEvent> copies(List<SerializedEvent> events) {
        return events.stream().map(e -> new SerializedEvent(e.eventId(), e.type(), e.schemaVersion(),
                e.payload().clone(), e.metadata())).toList();
    }

    private static List<Long> versions(List<StoredSerializedEvent> events) {
        return events.stream().map(StoredSerializedEvent::streamVersion).toList();
    }

    private List<Long> positions(long from, long to) {
        return stored(from, to).stream().map(StoredSerializedEvent::globalPosition).toList();
    }

    /**
     * Waits (up to {@link #DELIVERY_WAIT}) until a notification of at least {@code next} arrives: a
     * storage may notify from its own thread.
     *
     * @return the highest next position told by then
     */
    private static long awaitNotified(BlockingQueue<Long> told, long next) throws InterruptedException {
        long deadline = System.nanoTime() + DELIVERY_WAIT.toNanos();
        long highest = -1;
        while (highest < next) {
            long left = deadline - System.nanoTime();
            Long n = left > 0 ? told.poll(left, TimeUnit.NANOSECONDS) : null;
            if (n == null) {
                break;
            }
            highest = Math.max(highest, n);
        }
        return highest;
    }
}
