package dev.rewind.example.orders.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rewind.Metadata;
import dev.rewind.StoredEvent;
import dev.rewind.serialization.JacksonEventSerializer;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The JSON the demo and the CLI print: Rewind's mapper, map keys sorted, instants as ISO-8601 text. */
public final class Json {
    /** The mapper (thread-safe). */
    public static final ObjectMapper MAPPER = JacksonEventSerializer.defaultMapper()
            .copy()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {
    }

    /**
     * @param value a tree or a value
     * @return it as indented JSON
     */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints a tree or a value as indented JSON followed by a line end, then flushes.
     *
     * @param out where to print
     * @param value a tree or a value
     */
    public static void print(PrintWriter out, Object value) {
        out.println(pretty(value));
        out.flush();
    }

    /**
     * @param value a tree or a value
     * @return it as JSON on one line
     */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param event a stored event
     * @return the event as the CLI prints it: envelope fields, then the payload and, when any, metadata
     */
    public static ObjectNode event(StoredEvent<?> event) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("globalPosition", event.globalPosition());
        n.put("eventId", event.eventId().toString());
        n.put("streamId", event.streamId());
        n.put("streamVersion", event.streamVersion());
        n.put("type", event.type());
        n.put("schemaVersion", event.schemaVersion());
        n.put("recordedAt", event.recordedAt().toString());
        n.set("payload", MAPPER.valueToTree(event.payload()));
        Metadata m = event.metadata();
        if (!m.isEmpty()) {
            ObjectNode meta = n.putObject("metadata");
            if (m.correlationId() != null) {
                meta.put("correlationId", m.correlationId());
            }
            if (m.causationId() != null) {
                meta.put("causationId", m.causationId());
            }
            if (!m.values().isEmpty()) {
                meta.set("values", MAPPER.valueToTree(m.values()));
            }
        }
        return n;
    }

    /**
     * @param value a value
     * @return it as a JSON tree
     */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }
}
