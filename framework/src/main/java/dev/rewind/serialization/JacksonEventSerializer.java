package dev.rewind.serialization;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link EventSerializer}: Jackson, with records and {@code java.time} support, ISO-8601
 * text for instants, dates and durations (offsets and zone ids kept), exact decimals in the tree that
 * upcasters see, and no default typing (a class name is never read from stored data).
 *
 * <p>Binding is strict, so that an upcaster that forgot a field fails loudly instead of binding a
 * wrong record: unknown properties, missing record components and nulls for primitives are errors.
 * JSON that comes from outside the store (a raw append) goes through a stricter path of its own
 * ({@link #readTreeStrictly}, {@link #bindStrictly}), with a separate copy of the mapper, which also
 * refuses duplicate fields, trailing content and scalar coercions.
 *
 * <p>An application gives its own mapper with {@code Rewind.builder().objectMapper(mapper)}; see
 * {@link #JacksonEventSerializer(ObjectMapper)} for what Rewind requires of it and sets on its copy.
 */
public final class JacksonEventSerializer implements EventSerializer {
    private final ObjectMapper mapper;
    private final ObjectReader treeReader;
    private final ConcurrentHashMap<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();
    /** Created on first use: most applications never append raw events. */
    private volatile StrictJson strict;

    /** A serializer with Rewind's default mapper. */
    public JacksonEventSerializer() {
        this(defaultMapper());
    }

    /**
     * A serializer with a mapper configured by the application (more modules, other date formats...).
     * The mapper is copied, and the copy is made to bind strictly, whatever the application set:
     * {@link DeserializationFeature#FAIL_ON_UNKNOWN_PROPERTIES},
     * {@link DeserializationFeature#FAIL_ON_NULL_FOR_PRIMITIVES} and
     * {@link DeserializationFeature#FAIL_ON_MISSING_CREATOR_PROPERTIES} enabled, and
     * {@link JsonNodeFeature#STRIP_TRAILING_BIGDECIMAL_ZEROES} disabled (so that an upcaster sees
     * {@code 12.30} as written). Nothing else is changed: the mapper's modules and its other settings
     * decide the JSON that is written. The given mapper itself is never changed.
     *
     * @param mapper a JSON mapper, usually {@link #defaultMapper()} with the application's modules
     * @throws IllegalArgumentException when the mapper enables default typing (the class to create would
     *     then come from stored data, which Rewind never allows), does not read and write JSON, or
     *     cannot be copied
     */
    public JacksonEventSerializer(ObjectMapper mapper) {
        this.mapper = strictCopy(Objects.requireNonNull(mapper, "mapper"));
        // Upcasters work on this tree: decimals stay exact BigDecimals (scale included), never doubles.
        this.treeReader = this.mapper.reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    }

    private static ObjectMapper strictCopy(ObjectMapper mapper) {
        if (mapper.getSerializationConfig().getDefaultTyper(null) != null
                || mapper.getDeserializationConfig().getDefaultTyper(null) != null) {
            throw new IllegalArgumentException("the " + mapper.getClass().getName() + " given for events enables default"
                    + " typing (activateDefaultTyping or setDefaultTyping), which would let stored data name the class"
                    + " to create: Rewind binds every"
                    + " event to the class registered for its type name; use a mapper without default typing,"
                    + " for example JacksonEventSerializer.defaultMapper() with your modules");
        }
        // a JsonFactory subclass that does not override getFormatName() says null: it still writes JSON
        String format = mapper.getFactory().getFormatName();
        if (format != null && !JsonFactory.FORMAT_NAME_JSON.equals(format)) {
            throw new IllegalArgumentException("the " + mapper.getClass().getName() + " given for events writes " + format
                    + ", not JSON: events are stored"
                    + " as JSON objects (upcasters work on their JSON tree); use a JSON mapper, for example"
                    + " JacksonEventSerializer.defaultMapper() with your modules");
        }
        ObjectMapper copy;
        try {
            copy = mapper.copy();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the " + mapper.getClass().getName() + " given for events cannot be"
                    + " copied, and Rewind configures a copy, never the application's mapper: "
                    + e.getMessage(), e);
        }
        copy.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        return copy;
    }

    /** @return a new mapper configured as Rewind stores events */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new BlackbirdModule()) // accessors and constructors called through generated lambdas, not reflection
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                // an OffsetDateTime or ZonedDateTime keeps its offset and zone: nothing is moved to UTC
                .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES) // 12.30 stays 12.30 in trees
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .build();
    }

    /** @return the mapper, for components that need to build or print JSON trees */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public byte[] serialize(Object payload) {
        try {
            return writers.computeIfAbsent(payload.getClass(), mapper::writerFor).writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + payload.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T deserialize(byte[] json, Class<T> type) {
        try {
            return readers.computeIfAbsent(type, mapper::readerFor).readValue(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot bind JSON to " + type.getName() + ": " + message(e), e);
        }
    }

    @Override
    public ObjectNode readTree(byte[] json) {
        JsonNode node;
        try {
            node = treeReader.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + message(e), e);
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException("expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
    }

    @Override
    public <T> T bind(ObjectNode tree, Class<T> type) {
        try {
            return readers.computeIfAbsent(type, mapper::readerFor).readValue(tree);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot bind JSON to " + type.getName() + ": " + message(e), e);
        }
    }

    @Override
    public ObjectNode toTree(Object payload) {
        return mapper.valueToTree(payload);
    }

    @Override
    public ObjectNode readTreeStrictly(byte[] json) {
        return strict().readTree(json);
    }

    @Override
    public <T> T bindStrictly(ObjectNode tree, Class<T> type) {
        return strict().bind(tree, type);
    }

    @Override
    public byte[] serializeTree(ObjectNode tree) {
        try {
            return mapper.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a JSON tree: " + e.getOriginalMessage(), e);
        }
    }

    private StrictJson strict() {
        StrictJson s = strict;
        if (s == null) {
            synchronized (this) {
                s = strict;
                if (s == null) {
                    s = new StrictJson(mapper);
                    strict = s;
                }
            }
        }
        return s;
    }

    private static String message(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
