package dev.rewind.serialization;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The default serializer: every field survives a round trip, and binding is strict. */
class JacksonEventSerializerTest {
    private final JacksonEventSerializer serializer = new JacksonEventSerializer();

    enum Channel { WEB, SHOP }

    record Line(String sku, int quantity, BigDecimal price) {
    }

    record Everything(String text, String absent, int i, long l, double d, boolean b, char c, UUID id,
                      Instant instant, LocalDate date, LocalDateTime dateTime, LocalTime time, OffsetDateTime offset,
                      ZonedDateTime zoned, Duration duration, Period period, YearMonth month, BigDecimal amount,
                      Channel channel, Line line, List<Line> lines, Map<String, Integer> counts, List<String> noTags) {
    }

    record Point(String id, int x) {
    }

    private static Everything everything() {
        return new Everything("h\u00e9llo \"quoted\" \u4e2d", null, -7, Long.MAX_VALUE, 0.1, true, '\u00df',
                UUID.fromString("6f1c1e6a-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                Instant.parse("2024-05-01T12:00:00.123456789Z"), LocalDate.of(2024, 2, 29),
                LocalDateTime.of(2024, 5, 1, 15, 0, 0, 1), LocalTime.of(23, 59, 59),
                OffsetDateTime.of(2024, 5, 1, 15, 0, 0, 0, ZoneOffset.ofHours(2)),
                ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneId.of("Europe/Paris")),
                Duration.ofMillis(90_061_001), Period.of(1, 2, 3), YearMonth.of(2024, 12), new BigDecimal("12.30"),
                Channel.SHOP, new Line("sku-1", 2, new BigDecimal("0.10")),
                List.of(new Line("a", 1, BigDecimal.ONE), new Line("b", 2, new BigDecimal("1E+3"))),
                Map.of("x", 1, "y", 2), List.of());
    }

    @Test
    void every_field_survives_a_round_trip_through_bytes() {
        Everything original = everything();
        byte[] bytes = serializer.serialize(original);
        assertThat(serializer.deserialize(bytes, Everything.class)).isEqualTo(original);
    }

    @Test
    void every_field_survives_a_round_trip_through_a_tree_as_upcasters_see_it() {
        Everything original = everything();
        ObjectNode tree = serializer.readTree(serializer.serialize(original));
        assertThat(serializer.bind(tree, Everything.class)).isEqualTo(original);
        assertThat(serializer.bind(serializer.toTree(original), Everything.class)).isEqualTo(original);
    }

    @Test
    void instants_and_dates_are_stored_as_iso_8601_text_not_numbers() {
        ObjectNode tree = serializer.readTree(serializer.serialize(everything()));
        assertThat(tree.get("instant").asText()).isEqualTo("2024-05-01T12:00:00.123456789Z");
        assertThat(tree.get("date").asText()).isEqualTo("2024-02-29");
        assertThat(tree.get("offset").asText()).isEqualTo("2024-05-01T15:00:00+02:00");
        assertThat(tree.get("duration").asText()).isEqualTo("PT25H1M1.001S");
    }

    @Test
    void the_stored_json_names_no_java_class() {
        String json = new String(serializer.serialize(everything()), UTF_8);
        assertThat(json).doesNotContain("dev.rewind").doesNotContain("@class").doesNotContain("java.");
    }

    @Test
    void an_unknown_property_fails_binding() {
        assertThatThrownBy(() -> serializer.deserialize("{\"id\":\"p\",\"x\":1,\"y\":2}".getBytes(UTF_8), Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot bind JSON to " + Point.class.getName() + ": Unrecognized field \"y\"");
        ObjectNode tree = serializer.readTree("{\"id\":\"p\",\"x\":1,\"@class\":\"java.lang.Runtime\"}".getBytes(UTF_8));
        assertThatThrownBy(() -> serializer.bind(tree, Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot bind JSON to " + Point.class.getName() + ": Unrecognized field \"@class\"");
    }

    @Test
    void a_missing_record_component_fails_binding() {
        assertThatThrownBy(() -> serializer.deserialize("{\"id\":\"p\"}".getBytes(UTF_8), Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot bind JSON to " + Point.class.getName() + ": Missing creator property 'x'");
        assertThatThrownBy(() -> serializer.bind(serializer.readTree("{\"x\":1}".getBytes(UTF_8)), Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot bind JSON to " + Point.class.getName() + ": Missing creator property 'id'");
    }

    @Test
    void a_null_for_a_primitive_component_fails_binding() {
        assertThatThrownBy(() -> serializer.deserialize("{\"id\":\"p\",\"x\":null}".getBytes(UTF_8), Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot bind JSON to " + Point.class.getName() + ": Cannot map `null` into type `int`");
    }

    @Test
    void read_tree_accepts_only_a_json_object() {
        assertThat(serializer.readTree("{\"a\":1}".getBytes(UTF_8)).get("a").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> serializer.readTree("[1]".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected a JSON object, found ARRAY");
        assertThatThrownBy(() -> serializer.readTree("".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("expected a JSON object, found ");
        assertThatThrownBy(() -> serializer.readTree("{\"a\":".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not valid JSON: ");
    }

    @Test
    void an_unserialisable_payload_is_an_illegal_argument_naming_its_class() {
        Object notAValue = new Object();
        assertThatThrownBy(() -> serializer.serialize(notAValue))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot serialise java.lang.Object: ");
    }

    @Test
    void the_strict_path_accepts_everything_the_serializer_writes() {
        Everything original = everything();
        ObjectNode tree = serializer.readTreeStrictly(serializer.serialize(original));
        assertThat(serializer.bindStrictly(tree, Everything.class)).isEqualTo(original);
        assertThat(serializer.serializeTree(tree)).isEqualTo(serializer.serialize(original));
    }

    @Test
    void the_strict_path_leaves_the_normal_one_as_lenient_as_it_was() {
        byte[] coerced = "{\"id\":\"p\",\"x\":\"3\"}".getBytes(UTF_8);
        assertThatThrownBy(() -> serializer.bindStrictly(serializer.readTreeStrictly(coerced), Point.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot coerce \"3\" to int for field 'x'");

        assertThat(serializer.deserialize(coerced, Point.class)).isEqualTo(new Point("p", 3));
        assertThat(serializer.bind(serializer.readTree(coerced), Point.class)).isEqualTo(new Point("p", 3));
        assertThat(serializer.deserialize("{\"id\":\"p\",\"x\":2.7}".getBytes(UTF_8), Point.class)).isEqualTo(new Point("p", 2));
        assertThat(serializer.readTree("{\"a\":1,\"a\":2}".getBytes(UTF_8)).get("a").asInt()).isEqualTo(2);
    }

    @Test
    void strict_messages_name_the_problem_and_where_it_is() {
        assertThatThrownBy(() -> serializer.readTreeStrictly("{\"a\":1}\n  x".getBytes(UTF_8)))
                .hasMessage("trailing content after the JSON object at line 2, column 3");
        assertThatThrownBy(() -> serializer.readTreeStrictly("{\"a\":{\"b\":[{\"c\":1,\"c\":2}]}}".getBytes(UTF_8)))
                .hasMessageStartingWith("duplicate field 'a.b[0].c' at line 1, column ");
        assertThatThrownBy(() -> serializer.readTreeStrictly("\"x\"".getBytes(UTF_8)))
                .hasMessage("expected a JSON object, found a string");
        ObjectNode instantAsArray = serializer.readTreeStrictly(
                serializer.toTree(everything()).put("date", 0).toString().getBytes(UTF_8));
        assertThatThrownBy(() -> serializer.bindStrictly(instantAsArray, Everything.class))
                .hasMessage("cannot coerce 0 to LocalDate for field 'date'");
        ObjectNode lines = serializer.toTree(everything());
        ((ObjectNode) lines.get("lines").get(1)).put("quantity", "2");
        assertThatThrownBy(() -> serializer.bindStrictly(lines, Everything.class))
                .hasMessage("cannot coerce \"2\" to int for field 'lines[1].quantity'");
    }
}
