package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static dev.rewind.spi.storage.contract.ContractFixtures.Placed;
import static dev.rewind.spi.storage.contract.ContractFixtures.Shipped;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.AppendResult;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.UnknownEventTypeException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Raw appends (JSON at a named schema version, checked against the registry before anything is
 * written) and events whose type is not registered.
 */
public interface RawAppendContract extends ContractContext {
    @Test
    default void a_raw_append_stores_the_json_compactly_at_the_schema_version_it_names() {
        String v1 = "{ \"id\" : \"order-1\" }";
        RawEvent raw = new RawEvent(UUID.randomUUID(), "Shipped", 1, v1.getBytes(UTF_8), Metadata.correlatedBy("import-7"));

        AppendResult result = store().appendRaw("order-1", ExpectedVersion.noStream(), List.of(raw));
        AppendResult normal = store().append("order-1", ExpectedVersion.exactly(0), List.of(new Shipped("order-1", "ups")));

        StoredEvent<?> read = store().readStream("order-1", 0).get(0);
        assertThat(read.schemaVersion()).isEqualTo(1);
        assertThat(read.payload()).isEqualTo(new Shipped("order-1", "unknown"));
        assertThat(read.metadata()).isEqualTo(Metadata.correlatedBy("import-7"));
        assertThat(read.eventId()).isEqualTo(raw.eventId());
        assertThat(result.events()).containsExactly(read);
        assertThat(normal.events().get(0).schemaVersion()).isEqualTo(2);

        List<StoredSerializedEvent> records = stored(0, 10);
        assertThat(records.get(0).schemaVersion()).isEqualTo(1);
        assertThat(new String(records.get(0).payload(), UTF_8)).isEqualTo("{\"id\":\"order-1\"}");
        assertThat(records.get(1).schemaVersion()).isEqualTo(2);
        assertThat(records.get(1).type()).isEqualTo("Shipped");
    }

    @Test
    default void a_raw_append_of_the_same_batch_again_is_recognised_as_a_retry() {
        List<RawEvent> batch = List.of(RawEvent.of("Shipped", 1, "{\"id\":\"o\"}"), RawEvent.of("Placed", 1, "{\"id\":\"o\",\"quantity\":2}"));
        AppendResult first = store().appendRaw("o", ExpectedVersion.noStream(), batch);
        AppendResult retry = store().appendRaw("o", ExpectedVersion.noStream(), batch);
        assertThat(retry.alreadyAppended()).isTrue();
        assertThat(retry.events()).isEqualTo(first.events());
        assertThat(store().nextPosition()).isEqualTo(2);
    }

    @Test
    default void a_raw_append_is_checked_against_the_registry_before_anything_is_written() {
        RawEvent newer = new RawEvent(UUID.fromString("00000000-0000-0000-0000-000000000003"), "Shipped", 3,
                "{\"id\":\"o\"}".getBytes(UTF_8), Metadata.EMPTY);
        RawEvent unknown = new RawEvent(UUID.fromString("00000000-0000-0000-0000-000000000004"), "Nope", 1,
                "{}".getBytes(UTF_8), Metadata.EMPTY);
        RawEvent notAnObject = new RawEvent(UUID.fromString("00000000-0000-0000-0000-000000000005"), "Placed", 1,
                "[1, 2]".getBytes(UTF_8), Metadata.EMPTY);
        RawEvent fine = RawEvent.of("Placed", 1, "{\"id\":\"o\",\"quantity\":2}");

        assertThatThrownBy(() -> store().appendRaw("o", ExpectedVersion.any(), List.of(fine, newer)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw event 00000000-0000-0000-0000-000000000003 of type Shipped is at v3, newer than the current v2 of "
                        + Shipped.class.getName());
        assertThatThrownBy(() -> store().appendRaw("o", ExpectedVersion.any(), List.of(fine, unknown)))
                .isInstanceOf(UnknownEventTypeException.class)
                .hasMessage("unknown event type 'Nope' in raw event 00000000-0000-0000-0000-000000000004:"
                        + " register a record annotated @Event(name = \"Nope\")");
        assertThatThrownBy(() -> store().appendRaw("o", ExpectedVersion.any(), List.of(fine, notAnObject)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw event 00000000-0000-0000-0000-000000000005 of type Placed v1: expected a JSON object, found an array");
        assertThat(store().nextPosition()).isZero();
    }

    @Test
    default void a_raw_event_that_could_not_be_read_back_is_rejected_and_nothing_of_its_batch_is_written() {
        RawEvent missingQuantity = new RawEvent(UUID.fromString("00000000-0000-0000-0000-000000000006"), "Placed", 1,
                "{\"id\":\"o\"}".getBytes(UTF_8), Metadata.EMPTY);
        RawEvent fine = RawEvent.of("Placed", 1, "{\"id\":\"o\",\"quantity\":2}");

        assertThatThrownBy(() -> store().appendRaw("o", ExpectedVersion.any(), List.of(fine, missingQuantity)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw event 00000000-0000-0000-0000-000000000006 of type Placed v1: missing field 'quantity'");
        assertThatCode(() -> store().appendRaw("o", ExpectedVersion.any(),
                List.of(RawEvent.of("Shipped", 1, "{\"id\":\"o\",\"carrier\":\"v1 had no carrier\"}"))))
                .as("the upcaster sets carrier on a v1 object that already has one: still binds")
                .doesNotThrowAnyException();
        assertThat(store().nextPosition()).isEqualTo(1);
        assertThat(store().readAll(0, 10)).extracting(StoredEvent::type).containsExactly("Shipped");
    }

    @Test
    default void an_event_whose_type_is_not_registered_fails_on_read_naming_the_type_and_the_position() {
        store().append("order-1", ExpectedVersion.noStream(), List.of(new Placed("order-1", 1)));
        AppendResult added = store().append("order-1", ExpectedVersion.exactly(0), List.of(new Added("order-1", "sku", 5)));
        UUID addedId = added.events().get(0).eventId();

        // A second store over the same storage that knows only Placed (it shares the storage: not closed here).
        EventStore narrower = Rewind.builder().storage(storage()).clock(clock()).eventTypes(Placed.class).build().store();
        String message = "unknown event type 'Added' at global position 1 (event " + addedId + ", stream 'order-1'):"
                + " register a record annotated @Event(name = \"Added\")";

        assertThatThrownBy(() -> narrower.readAll(0, 10)).isInstanceOf(UnknownEventTypeException.class).hasMessage(message)
                .satisfies(e -> assertThat(((UnknownEventTypeException) e).type()).isEqualTo("Added"));
        assertThatThrownBy(() -> narrower.readStream("order-1", 0)).isInstanceOf(UnknownEventTypeException.class).hasMessage(message);
        assertThatThrownBy(() -> narrower.readByType("Added", 0)).isInstanceOf(UnknownEventTypeException.class).hasMessage(message);
    }
}
