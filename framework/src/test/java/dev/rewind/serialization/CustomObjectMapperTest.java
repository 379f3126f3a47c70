package dev.rewind.serialization;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.rewind.EventDecodingException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.StoredEvent;
import dev.rewind.annotation.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Rewind.builder().objectMapper(...)}: the application's modules write and read events; what is refused. */
class CustomObjectMapperTest {
    @TempDir
    Path dir;

    /** A value type inside an event, stored as one string ("12.34 EUR") by the application's module. */
    record Money(long cents, String currency) {
    }

    @Event(name = "PriceSet", version = 1)
    record PriceSet(String sku, Money price) {
    }

    /** A primitive component, for the null check. */
    record Counted(long n) {
    }

    /** The application's module: Money as "12.34 EUR". */
    private static SimpleModule moneyModule() {
        SimpleModule module = new SimpleModule("money");
        module.addSerializer(Money.class, new StdSerializer<>(Money.class) {
            @Override
            public void serialize(Money m, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(BigDecimal.valueOf(m.cents(), 2).toPlainString() + " " + m.currency());
            }
        });
        module.addDeserializer(Money.class, new StdDeserializer<>(Money.class) {
            @Override
            public Money deserialize(JsonParser p, DeserializationContext context) throws IOException {
                String[] parts = p.getValueAsString().split(" ");
                return new Money(new BigDecimal(parts[0]).movePointRight(2).longValueExact(), parts[1]);
            }
        });
        return module;
    }

    private static ObjectMapper withMoney() {
        return JacksonEventSerializer.defaultMapper().registerModule(moneyModule());
    }

    private Rewind open(ObjectMapper mapper) {
        Rewind.Builder builder = Rewind.builder().storage("file:" + dir.resolve("store")).eventTypes(PriceSet.class)
                .discoverPlugins(false);
        return (mapper == null ? builder : builder.objectMapper(mapper)).build();
    }

    /** Whether some file of the store holds these bytes (the file log keeps payloads as written). */
    private boolean storeHolds(String text) throws IOException {
        byte[] wanted = text.getBytes(UTF_8);
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            return files.filter(Files::isRegularFile).anyMatch(f -> indexOf(read(f), wanted) >= 0);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void a_module_on_the_mapper_writes_the_stored_json_and_reads_it_back() throws IOException {
        PriceSet a = new PriceSet("a", new Money(1234, "EUR"));
        try (Rewind rewind = open(withMoney())) {
            rewind.store().append("prices", ExpectedVersion.noStream(), List.of(a));
            // JSON given from outside goes through the same module (on the strict path of a raw append)
            rewind.store().appendRaw("prices", ExpectedVersion.exactly(0), List.of(new RawEvent(UUID.randomUUID(),
                    "PriceSet", 1, "{\"sku\":\"b\",\"price\":\"0.50 USD\"}".getBytes(UTF_8), Metadata.EMPTY)));
        }
        assertThat(storeHolds("{\"sku\":\"a\",\"price\":\"12.34 EUR\"}")).isTrue();
        assertThat(storeHolds("{\"sku\":\"b\",\"price\":\"0.50 USD\"}")).isTrue();

        try (Rewind rewind = open(withMoney())) {
            List<Object> payloads = rewind.store().readStream("prices", 0).stream()
                    .<Object>map(StoredEvent::payload).toList();
            assertThat(payloads).containsExactly(a, new PriceSet("b", new Money(50, "USD")));
        }
        // without the module the stored form does not bind: the module, not the default, wrote it
        try (Rewind rewind = open(null)) {
            assertThatThrownBy(() -> rewind.store().readStream("prices", 0))
                    .isInstanceOf(EventDecodingException.class);
        }
    }

    @Test
    void the_applications_mapper_is_copied_made_strict_on_the_copy_and_never_changed() {
        ObjectMapper lenient = withMoney().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        JacksonEventSerializer serializer = new JacksonEventSerializer(lenient);

        assertThat(lenient.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)).isFalse();
        assertThat(lenient.isEnabled(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)).isFalse();
        assertThatThrownBy(() -> serializer.deserialize(
                "{\"sku\":\"a\",\"price\":\"1.00 EUR\",\"extra\":1}".getBytes(UTF_8), PriceSet.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"extra\"");
        assertThatThrownBy(() -> serializer.deserialize("{\"n\":null}".getBytes(UTF_8), Counted.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("`null`");

        // a change made to the application's mapper afterwards does not reach the copy
        ObjectMapper plain = JacksonEventSerializer.defaultMapper();
        JacksonEventSerializer beforeModule = new JacksonEventSerializer(plain);
        plain.registerModule(moneyModule());
        assertThat(new String(beforeModule.serialize(new PriceSet("a", new Money(1, "EUR"))), UTF_8))
                .isEqualTo("{\"sku\":\"a\",\"price\":{\"cents\":1,\"currency\":\"EUR\"}}");
    }

    @Test
    void a_mapper_with_default_typing_is_refused_when_given() {
        ObjectMapper typed = JacksonEventSerializer.defaultMapper()
                .activateDefaultTyping(BasicPolymorphicTypeValidator.builder().allowIfBaseType(Object.class).build());

        assertThatThrownBy(() -> Rewind.builder().objectMapper(typed))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("the com.fasterxml.jackson.databind.json.JsonMapper given for events enables default typing"
                        + " (activateDefaultTyping or setDefaultTyping), which would let stored data name the class to"
                        + " create: Rewind binds every event to the class registered for its type name; use a mapper"
                        + " without default typing, for example JacksonEventSerializer.defaultMapper() with your modules");
    }

    @Test
    void a_mapper_that_does_not_write_json_is_refused_when_given() {
        ObjectMapper other = new ObjectMapper(new JsonFactory() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getFormatName() {
                return "Smile";
            }
        });

        assertThatThrownBy(() -> Rewind.builder().objectMapper(other))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("the com.fasterxml.jackson.databind.ObjectMapper given for events writes Smile, not JSON:"
                        + " events are stored as JSON objects (upcasters work on their JSON tree); use a JSON mapper,"
                        + " for example JacksonEventSerializer.defaultMapper() with your modules");
    }
}
