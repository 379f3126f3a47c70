package dev.rewind;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The small immutable values of the API: RawEvent, NewEvent, StoredEvent, AppendResult. */
class EventValuesTest {
    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final Instant AT = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void a_raw_event_copies_its_bytes_in_and_out() {
        byte[] json = "{\"a\":1}".getBytes(UTF_8);
        RawEvent raw = new RawEvent(ID, "T", 1, json, Metadata.EMPTY);
        json[0] = 'X';
        raw.json()[1] = 'Y';

        assertThat(new String(raw.json(), UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(raw).isEqualTo(new RawEvent(ID, "T", 1, "{\"a\":1}".getBytes(UTF_8), Metadata.EMPTY));
        assertThat(raw).isNotEqualTo(new RawEvent(ID, "T", 2, "{\"a\":1}".getBytes(UTF_8), Metadata.EMPTY));
        assertThat(raw).hasToString("RawEvent[" + ID + ", T v1, {\"a\":1}]");
    }

    @Test
    void a_raw_event_needs_a_schema_version_of_1_or_more() {
        assertThatThrownBy(() -> RawEvent.of("OrderPlaced", 0, "{}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schema version of OrderPlaced must be 1 or more, was 0");
    }

    @Test
    void a_new_event_gets_a_fresh_id_and_empty_metadata_unless_given() {
        NewEvent a = NewEvent.of("payload");
        NewEvent b = NewEvent.of("payload");
        assertThat(a.eventId()).isNotEqualTo(b.eventId());
        assertThat(a.metadata()).isEqualTo(Metadata.EMPTY);
        assertThat(NewEvent.of("p", Metadata.correlatedBy("c")).metadata()).isEqualTo(Metadata.correlatedBy("c"));
        assertThatThrownBy(() -> new NewEvent(ID, null, Metadata.EMPTY)).isInstanceOf(NullPointerException.class).hasMessage("payload");
    }

    @Test
    void a_stored_event_has_every_field_and_refuses_missing_ones() {
        StoredEvent<String> e = new StoredEvent<>(ID, "s", 2, 9, "T", 1, AT, "p", Metadata.EMPTY);
        assertThat(e).isEqualTo(new StoredEvent<>(ID, "s", 2, 9, "T", 1, AT, "p", Metadata.EMPTY));
        assertThatThrownBy(() -> new StoredEvent<>(ID, "s", 2, 9, "T", 1, null, "p", Metadata.EMPTY))
                .isInstanceOf(NullPointerException.class).hasMessage("recordedAt");
        assertThatThrownBy(() -> new StoredEvent<>(ID, "s", 2, 9, "T", 1, AT, "p", null))
                .isInstanceOf(NullPointerException.class).hasMessage("metadata");
    }

    @Test
    void an_append_result_copies_its_list_and_answers_first_and_last_positions() {
        List<StoredEvent<?>> events = new ArrayList<>();
        events.add(new StoredEvent<>(ID, "s", 3, 10, "T", 1, AT, "p", Metadata.EMPTY));
        events.add(new StoredEvent<>(UUID.randomUUID(), "s", 4, 11, "T", 1, AT, "q", Metadata.EMPTY));
        AppendResult result = new AppendResult("s", events, false);
        events.clear();

        assertThat(result.events()).hasSize(2);
        assertThat(result.firstPosition()).isEqualTo(10);
        assertThat(result.lastPosition()).isEqualTo(11);
        assertThat(result.lastStreamVersion()).isEqualTo(4);
        assertThatThrownBy(() -> result.events().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void the_store_exceptions_name_what_went_wrong() {
        ConcurrencyConflictException conflict = new ConcurrencyConflictException("order-1", ExpectedVersion.noStream(), 4);
        assertThat(conflict).hasMessage("concurrency conflict on stream 'order-1': expected no stream, but the stream is at version 4")
                .isInstanceOf(EventStoreException.class);
        assertThat(new DuplicateEventIdException(ID, "it appears twice in the same batch"))
                .hasMessage("duplicate event id " + ID + ": it appears twice in the same batch");
        assertThat(new UnknownEventTypeException("Refunded", "at global position 3"))
                .hasMessage("unknown event type 'Refunded' at global position 3: register a record annotated @Event(name = \"Refunded\")");
    }
}
