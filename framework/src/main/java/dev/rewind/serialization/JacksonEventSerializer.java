package dev.rewind.serialization;

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
     * @param mapper a mapper configured by the application (it must not enable default typing)
     */
    public JacksonEventSerializer(ObjectMapper mapper) {
        this.mapper = mapper;
        // Upcasters work on this tree: decimals stay exact BigDecimals (scale included), never doubles.
        this.treeReader = mapper.reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
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
