package dev.rewind.internal.command;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * Serialises an aggregate's state for snapshots: its fields (any visibility, not through getters, so an
 * aggregate needs no accessors for it), as JSON. No default typing: the class comes from the
 * registration, never from the data.
 */
public final class StateCodec {
    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** A codec with Rewind's snapshot mapper. */
    public StateCodec() {
    }

    /**
     * @param aggregate an aggregate
     * @return its fields as JSON
     * @throws IllegalStateException naming the class when it cannot be serialised
     */
    public byte[] write(Object aggregate) {
        try {
            return mapper.writeValueAsBytes(aggregate);
        } catch (IOException e) {
            throw new IllegalStateException("cannot snapshot " + aggregate.getClass().getName() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * @param json what {@link #write} produced
     * @param type the aggregate class
     * @param <A> the class
     * @return a new instance holding that state
     * @throws IOException when the JSON does not fit the class
     */
    public <A> A read(byte[] json, Class<A> type) throws IOException {
        return mapper.readValue(json, type);
    }
}
