package dev.rewind.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventDecodingException;
import dev.rewind.Metadata;
import dev.rewind.NewEvent;
import dev.rewind.RawEvent;
import dev.rewind.StoredEvent;
import dev.rewind.UnknownEventTypeException;
import dev.rewind.annotation.Event;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The one place that encodes, decodes, upcasts and binds. */
class EventPipelineTest {
    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final Instant AT = Instant.parse("2024-05-01T12:00:00Z");

    /** v1: {id}; v2 added cents; v3 renamed cents to amountCents and added currency. */
    @Event(name = "Paid", version = 3)
    record Paid(String id, long amountCents, String currency) {
    }

    @Event(name = "Opened", version = 1)
    record Opened(String id) {
    }

    private final List<String> calls = new ArrayList<>();
    private final EventUpcaster v1 = json -> {
        calls.add("v1->v2");
        return json.put("cents", 0);
    };
    private final EventUpcaster v2 = json -> {
        calls.add("v2->v3");
        json.set("amountCents", json.remove("cents"));
        return json.put("currency", "EUR");
    };

    private EventPipeline pipeline(EventUpcaster step1, EventUpcaster step2) {
        EventTypeRegistry types = EventTypeRegistry.builder().type(Paid.class, "test").type(Opened.class, "test")
                .upcaster("Paid", 1, step1, "com.example.PaidV1").upcaster("Paid", 2, step2, "com.example.PaidV2")
                .rename("AccountOpened", "Opened", "test").build();
        return new EventPipeline(types, new JacksonEventSerializer());
    }

    private static StoredSerializedEvent stored(String type, int version, String json) {
        return new StoredSerializedEvent(ID, "s-1", 4, 17, type, version, AT, json.getBytes(UTF_8), Metadata.correlatedBy("c"));
    }

    @Test
    void encode_writes_the_current_version_under_the_logical_name() {
        SerializedEvent r = pipeline(v1, v2).encode(new NewEvent(ID, new Paid("p", 250, "USD"), Metadata.correlatedBy("c")));
        assertThat(r.type()).isEqualTo("Paid");
        assertThat(r.schemaVersion()).isEqualTo(3);
        assertThat(new String(r.payload(), UTF_8)).isEqualTo("{\"id\":\"p\",\"amountCents\":250,\"currency\":\"USD\"}");
        assertThat(r.eventId()).isEqualTo(ID);
        assertThat(r.metadata()).isEqualTo(Metadata.correlatedBy("c"));
        assertThat(r.payloadObject()).isEqualTo(new Paid("p", 250, "USD"));
        assertThat(pipeline(v1, v2).encode(new Opened("o")).eventId()).isNotNull();
    }

    @Test
    void decode_of_the_current_version_binds_without_upcasting_and_keeps_every_field() {
        StoredEvent<?> e = pipeline(v1, v2).decode(stored("Paid", 3, "{\"id\":\"p\",\"amountCents\":5,\"currency\":\"USD\"}"));
        assertThat(e).isEqualTo(new StoredEvent<>(ID, "s-1", 4, 17, "Paid", 3, AT, new Paid("p", 5, "USD"), Metadata.correlatedBy("c")));
        assertThat(calls).isEmpty();
    }

    @Test
    void decode_of_an_old_version_runs_every_step_in_order_once() {
        StoredEvent<?> e = pipeline(v1, v2).decode(stored("Paid", 1, "{\"id\":\"p\"}"));
        assertThat(e.payload()).isEqualTo(new Paid("p", 0, "EUR"));
        assertThat(e.schemaVersion()).as("the version it was stored at").isEqualTo(1);
        assertThat(calls).containsExactly("v1->v2", "v2->v3");

        calls.clear();
        assertThat(pipeline(v1, v2).decode(stored("Paid", 2, "{\"id\":\"p\",\"cents\":9}")).payload()).isEqualTo(new Paid("p", 9, "EUR"));
        assertThat(calls).containsExactly("v2->v3");
    }

    @Test
    void a_cached_payload_is_used_as_is() {
        Paid cached = new Paid("p", 1, "USD");
        StoredSerializedEvent r = StoredSerializedEvent.withObject(ID, "s", 0, 0, "Paid", 3, AT, cached,
                "not json".getBytes(UTF_8), null, Metadata.EMPTY);
        assertThat(pipeline(v1, v2).decode(r).payload()).isSameAs(cached);
    }

    @Test
    void a_renamed_stored_type_reads_under_its_new_name() {
        StoredEvent<?> e = pipeline(v1, v2).decode(stored("AccountOpened", 1, "{\"id\":\"o\"}"));
        assertThat(e.type()).isEqualTo("Opened");
        assertThat(e.payload()).isEqualTo(new Opened("o"));
    }

    @Test
    void an_unknown_stored_type_names_the_type_the_position_the_event_and_the_stream() {
        assertThatThrownBy(() -> pipeline(v1, v2).decode(stored("Refunded", 1, "{}")))
                .isInstanceOf(UnknownEventTypeException.class)
                .hasMessage("unknown event type 'Refunded' at global position 17 (event " + ID + ", stream 's-1'):"
                        + " register a record annotated @Event(name = \"Refunded\")");
    }

    @Test
    void a_version_newer_than_the_code_names_both_versions() {
        assertThatThrownBy(() -> pipeline(v1, v2).decode(stored("Paid", 4, "{}")))
                .isInstanceOf(EventDecodingException.class)
                .hasMessage("event " + ID + " (type Paid v4, stream 's-1' version 4, global position 17) is stored at schema"
                        + " version 4, but this code knows Paid only up to v3 (" + Paid.class.getName()
                        + "); it was written by a newer release");
    }

    @Test
    void an_upcaster_that_throws_or_returns_null_is_named_with_its_step() {
        EventUpcaster failing = json -> {
            throw new IllegalStateException("no cents");
        };
        assertThatThrownBy(() -> pipeline(failing, v2).decode(stored("Paid", 1, "{\"id\":\"p\"}")))
                .isInstanceOf(EventDecodingException.class)
                .hasMessage("event " + ID + " (type Paid v1, stream 's-1' version 4, global position 17) failed in upcaster "
                        + failing.getClass().getName() + " (v1 to v2): java.lang.IllegalStateException: no cents")
                .hasCauseInstanceOf(IllegalStateException.class);
        EventUpcaster returnsNull = json -> null;
        assertThatThrownBy(() -> pipeline(v1, returnsNull).decode(stored("Paid", 1, "{\"id\":\"p\"}")))
                .isInstanceOf(EventDecodingException.class)
                .hasMessage("event " + ID + " (type Paid v1, stream 's-1' version 4, global position 17) upcaster "
                        + returnsNull.getClass().getName() + " (v2 to v3) returned null");
    }

    @Test
    void an_upcaster_that_forgets_a_field_fails_binding_instead_of_binding_a_wrong_record() {
        EventUpcaster forgetful = json -> json; // never renames "cents" to "amountCents"
        assertThatThrownBy(() -> pipeline(v1, forgetful).decode(stored("Paid", 1, "{\"id\":\"p\"}")))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageStartingWith("event " + ID + " (type Paid v1, stream 's-1' version 4, global position 17)"
                        + " cannot be bound after upcasting to v3: cannot bind JSON to " + Paid.class.getName()
                        + ": Missing creator property 'amountCents'");
    }

    @Test
    void bytes_that_are_not_json_name_the_event() {
        assertThatThrownBy(() -> pipeline(v1, v2).decode(stored("Opened", 1, "{oops")))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageStartingWith("event " + ID + " (type Opened v1, stream 's-1' version 4, global position 17) cannot be decoded: ");
    }

    @Test
    void an_old_raw_event_is_stored_compactly_once_it_is_known_to_be_readable() {
        byte[] json = "{ \"id\" : \"p\" }".getBytes(UTF_8);
        SerializedEvent r = pipeline(v1, v2).encodeRaw(new RawEvent(ID, "Paid", 1, json, Metadata.EMPTY));
        assertThat(new String(r.payload(), UTF_8)).isEqualTo("{\"id\":\"p\"}");
        assertThat(r.schemaVersion()).isEqualTo(1);
        assertThat(r.payloadObject()).isNull();
        assertThat(calls).containsExactly("v1->v2", "v2->v3");

        EventUpcaster failing = x -> {
            throw new IllegalStateException("no");
        };
        assertThatThrownBy(() -> pipeline(failing, v2).encodeRaw(new RawEvent(ID, "Paid", 1, json, Metadata.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw event " + ID + " of type Paid v1 failed in upcaster " + failing.getClass().getName()
                        + " (v1 to v2): java.lang.IllegalStateException: no");
    }
}
