package dev.rewind;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.annotation.Event;
import dev.rewind.serialization.JacksonEventSerializer;
import dev.rewind.spi.EventUpcaster;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link EventStore#appendRaw} binds strictly and stores the canonical form: the store holds exactly
 * what a read returns, and JSON it refuses leaves nothing stored.
 */
class RawAppendStrictnessTest {
    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-0000000000e1");

    enum Channel { WEB, SHOP }

    /** A line of an order: nested, to see paths in messages. */
    record Line(String sku, int quantity) {
    }

    /** Every kind of field a coercion could touch. */
    @Event(name = "Ordered", version = 1)
    record Ordered(String orderId, int quantity, long cents, double ratio, boolean gift, Channel channel, Instant at,
                   BigDecimal weight, List<Line> lines) {
    }

    /** v1 had no carrier and its weight as a decimal number; the upcaster adds the carrier. */
    @Event(name = "Shipped", version = 2)
    record Shipped(String orderId, String carrier, int parcels, BigDecimal weight) {
    }

    /** v1 -> v2: a default carrier. */
    static final class ShippedV1ToV2 implements EventUpcaster {
        @Override
        public ObjectNode upcast(ObjectNode json) {
            return json.put("carrier", "unknown");
        }
    }

    private static final String ORDERED = "{\"orderId\":\"1\",\"quantity\":2,\"cents\":1500,\"ratio\":0.5,\"gift\":false,"
            + "\"channel\":\"WEB\",\"at\":\"2024-05-01T14:00:00Z\",\"weight\":1.250,\"lines\":[{\"sku\":\"a\",\"quantity\":1}]}";

    private final InMemoryStorage storage = new InMemoryStorage();
    private Rewind rewind = Rewind.builder().discoverPlugins(false).storage(storage)
            .eventTypes(Ordered.class, Shipped.class).upcaster("Shipped", 1, new ShippedV1ToV2()).build();

    @AfterEach
    void close() {
        rewind.close();
    }

    private AppendResult append(String type, int version, String json) {
        return rewind.store().appendRaw("s", ExpectedVersion.any(),
                List.of(new RawEvent(ID, type, version, json.getBytes(UTF_8), Metadata.EMPTY)));
    }

    private static String ordered(String from, String to) {
        assertThat(ORDERED).contains(from);
        return ORDERED.replace(from, to);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "trailing tokens         | `]}` | `]} xyz`                              | trailing content after the JSON object at line 1, column ",
        "a second object         | `]}` | `]} {}`                               | trailing content after the JSON object at line 1, column ",
        "a float for an int      | `\"quantity\":2` | `\"quantity\":2.7`        | cannot coerce 2.7 to int for field 'quantity'",
        "a whole float for an int | `\"quantity\":2` | `\"quantity\":2.0`       | cannot coerce 2.0 to int for field 'quantity'",
        "a string for an int     | `\"quantity\":2` | `\"quantity\":\"3\"`      | cannot coerce \"3\" to int for field 'quantity'",
        "a string for a long     | `\"cents\":1500` | `\"cents\":\"1500\"`      | cannot coerce \"1500\" to long for field 'cents'",
        "a string for a double   | `\"ratio\":0.5` | `\"ratio\":\"0.5\"`        | cannot coerce \"0.5\" to double for field 'ratio'",
        "a string for a decimal  | `\"weight\":1.250` | `\"weight\":\"1.25\"`   | cannot coerce \"1.25\" to BigDecimal for field 'weight'",
        "a number for a boolean  | `\"gift\":false` | `\"gift\":0`              | cannot coerce 0 to boolean for field 'gift'",
        "a string for a boolean  | `\"gift\":false` | `\"gift\":\"false\"`      | cannot coerce \"false\" to boolean for field 'gift'",
        "a number for a string   | `\"orderId\":\"1\"` | `\"orderId\":1`        | cannot coerce 1 to String for field 'orderId'",
        "a boolean for a string  | `\"orderId\":\"1\"` | `\"orderId\":true`     | cannot coerce true to String for field 'orderId'",
        "a number for an enum    | `\"channel\":\"WEB\"` | `\"channel\":0`      | cannot coerce 0 to Channel for field 'channel'",
        "a number for an instant | `\"at\":\"2024-05-01T14:00:00Z\"` | `\"at\":1714572000` | cannot coerce 1714572000 to Instant for field 'at'",
        "digits for an instant   | `\"at\":\"2024-05-01T14:00:00Z\"` | `\"at\":\"1714572000\"` | cannot coerce \"1714572000\" to Instant for field 'at'",
        "an empty string for a decimal | `\"weight\":1.250` | `\"weight\":\"\"` | cannot coerce \"\" to BigDecimal for field 'weight'",
        "a value out of range    | `\"quantity\":2` | `\"quantity\":3000000000` | 3000000000 is out of range of int for field 'quantity'",
        "null for a primitive    | `\"quantity\":2` | `\"quantity\":null`       | null is not a value of int for field 'quantity'",
        "an unknown field        | `\"quantity\":2` | `\"quantity\":2,\"colour\":\"red\"` | unknown field 'colour'",
        "a missing field         | `\"quantity\":2,` | ``                       | missing field 'quantity'",
        "a duplicate key         | `\"quantity\":2` | `\"quantity\":2,\"quantity\":3` | duplicate field 'quantity' at line 1, column ",
        "a nested duplicate key  | `\"sku\":\"a\"` | `\"sku\":\"a\",\"sku\":\"b\"` | duplicate field 'lines[0].sku' at line 1, column ",
        "a nested coercion       | `\"sku\":\"a\",\"quantity\":1` | `\"sku\":\"a\",\"quantity\":1.5` | cannot coerce 1.5 to int for field 'lines[0].quantity'",
    })
    void refuses_at_the_current_version_naming_the_event_and_what_was_wrong_and_stores_nothing(
            String what, String from, String to, String problem) {
        String json = ordered(from, to == null ? "" : to);

        assertThatThrownBy(() -> append("Ordered", 1, json))
                .as(what)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("raw event " + ID + " of type Ordered v1: ")
                .hasMessageContaining(problem);
        assertThat(rewind.store().nextPosition()).isZero();
        assertThat(dev.rewind.spi.storage.StorageReads.page(storage, 0, 10)).isEmpty();
    }

    @Test
    void a_refused_event_stops_its_whole_batch() {
        RawEvent fine = RawEvent.of("Ordered", 1, ORDERED);
        RawEvent coerced = new RawEvent(ID, "Ordered", 1, ordered("\"quantity\":2", "\"quantity\":\"2\"").getBytes(UTF_8),
                Metadata.EMPTY);

        assertThatThrownBy(() -> rewind.store().appendRaw("s", ExpectedVersion.noStream(), List.of(fine, coerced)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("raw event " + ID + " of type Ordered v1: cannot coerce \"2\" to int for field 'quantity'");
        assertThat(dev.rewind.spi.storage.StorageReads.page(storage, 0, 10)).isEmpty();
        assertThat(rewind.store().lastVersion("s")).isEqualTo(-1);
    }

    @Test
    void not_an_object_is_refused() {
        assertThatThrownBy(() -> append("Ordered", 1, "[1]")).hasMessage(
                "raw event " + ID + " of type Ordered v1: expected a JSON object, found an array");
        assertThatThrownBy(() -> append("Ordered", 1, "  ")).hasMessage(
                "raw event " + ID + " of type Ordered v1: expected a JSON object, found nothing");
        assertThatThrownBy(() -> append("Ordered", 1, "{\"orderId\":")).hasMessageStartingWith(
                "raw event " + ID + " of type Ordered v1: not valid JSON: ");
        assertThat(dev.rewind.spi.storage.StorageReads.page(storage, 0, 10)).isEmpty();
    }

    @Test
    void widening_an_integer_is_accepted_and_stored_in_canonical_form() {
        String json = ordered("\"ratio\":0.5", "\"ratio\":1").replace("\"weight\":1.250", "\"weight\":2");

        StoredEvent<?> stored = append("Ordered", 1, json).events().get(0);

        Ordered payload = (Ordered) stored.payload();
        assertThat(payload.ratio()).isEqualTo(1.0);
        assertThat(payload.weight()).isEqualTo(new BigDecimal("2"));
        assertThat(new String(dev.rewind.spi.storage.StorageReads.page(storage, 0, 1).get(0).payload(), UTF_8)).contains("\"ratio\":1.0,");
    }

    @Test
    void at_the_current_version_the_store_holds_the_encoding_of_the_bound_payload_byte_for_byte() {
        String untidy = " {\n \"lines\" : [ { \"quantity\":1, \"sku\":\"\\u0061\" } ], \"orderId\":\"1\", \"quantity\":2,"
                + " \"cents\":1500, \"ratio\":5e-1, \"gift\":false, \"channel\":\"WEB\", \"at\":\"2024-05-01T16:00:00+02:00\","
                + " \"weight\":1.250 } \n";

        AppendResult result = append("Ordered", 1, untidy);

        byte[] stored = dev.rewind.spi.storage.StorageReads.page(storage, 0, 1).get(0).payload();
        StoredEvent<?> read = rewind.store().readAll(0, 1).get(0);
        JacksonEventSerializer serializer = new JacksonEventSerializer();
        assertThat(new String(stored, UTF_8)).isEqualTo(ORDERED);
        assertThat(stored).isEqualTo(serializer.serialize(read.payload()));
        assertThat(read).isEqualTo(result.events().get(0));
        Ordered normal = serializer.deserialize(ORDERED.getBytes(UTF_8), Ordered.class);
        rewind.store().append("t", ExpectedVersion.noStream(), List.of(normal));
        assertThat(dev.rewind.spi.storage.StorageReads.page(storage, 1, 1).get(0).payload()).as("what a normal append of the same payload stores")
                .isEqualTo(stored);
    }

    @Test
    void at_an_older_version_the_json_is_stored_compactly_and_must_upcast_and_bind_strictly() {
        AppendResult result = append("Shipped", 1, "{ \"orderId\" : \"1\", \"parcels\" : 2, \"weight\" : 12.30 }");

        StoredSerializedEvent record = dev.rewind.spi.storage.StorageReads.page(storage, 0, 1).get(0);
        assertThat(record.schemaVersion()).isEqualTo(1);
        assertThat(new String(record.payload(), UTF_8)).isEqualTo("{\"orderId\":\"1\",\"parcels\":2,\"weight\":12.30}");
        assertThat(result.events().get(0).payload()).isEqualTo(new Shipped("1", "unknown", 2, new BigDecimal("12.30")));
        assertThat(rewind.store().readAll(0, 1)).isEqualTo(result.events());
    }

    @Test
    void at_an_older_version_duplicates_trailing_content_and_coercions_are_refused_too() {
        assertThatThrownBy(() -> append("Shipped", 1, "{\"orderId\":\"1\",\"parcels\":2,\"parcels\":3,\"weight\":1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("raw event " + ID + " of type Shipped v1: duplicate field 'parcels' at line 1, column ");
        assertThatThrownBy(() -> append("Shipped", 1, "{\"orderId\":\"1\",\"parcels\":2,\"weight\":1}]"))
                .hasMessageStartingWith("raw event " + ID + " of type Shipped v1: trailing content after the JSON object");
        assertThatThrownBy(() -> append("Shipped", 1, "{\"orderId\":\"1\",\"parcels\":\"2\",\"weight\":1}"))
                .hasMessage("raw event " + ID + " of type Shipped v1 cannot be bound after upcasting to v2: "
                        + "cannot coerce \"2\" to int for field 'parcels'");
        assertThat(dev.rewind.spi.storage.StorageReads.page(storage, 0, 10)).isEmpty();
    }

    @Test
    void reads_of_stored_events_still_bind_as_before() {
        // Strictness is for JSON coming in: what an older release stored with a coercion still reads.
        rewind.close();
        InMemoryStorage older = new InMemoryStorage();
        rewind = Rewind.builder().discoverPlugins(false).storage(older).eventTypes(Ordered.class, Shipped.class)
                .upcaster("Shipped", 1, new ShippedV1ToV2()).build();
        byte[] lenient = "{\"orderId\":\"1\",\"carrier\":\"ups\",\"parcels\":\"2\",\"weight\":1}".getBytes(UTF_8);
        older.append("s", ExpectedVersion.any(), List.of(new dev.rewind.spi.storage.SerializedEvent(ID, "Shipped", 2, lenient,
                Metadata.EMPTY)), java.time.Clock.systemUTC());

        assertThat(rewind.store().readAll(0, 1).get(0).payload()).isEqualTo(new Shipped("1", "ups", 2, BigDecimal.ONE));
    }

    @Test
    void on_a_file_store_the_stored_bytes_are_the_canonical_ones_after_a_reopen(@TempDir Path dir) {
        String untidy = ORDERED.replace(",", " , ");
        try (Rewind file = Rewind.builder().discoverPlugins(false).storage(FileStorage.open(dir))
                .eventTypes(Ordered.class, Shipped.class).upcaster("Shipped", 1, new ShippedV1ToV2()).build()) {
            file.store().appendRaw("s", ExpectedVersion.noStream(), List.of(RawEvent.of("Ordered", 1, untidy)));
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(new String(dev.rewind.spi.storage.StorageReads.page(reopened, 0, 1).get(0).payload(), UTF_8)).isEqualTo(ORDERED);
        }
    }
}
