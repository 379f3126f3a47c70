package dev.rewind.example.orders.upcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rewind.EventStore;
import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.RawEvent;
import dev.rewind.serialization.JacksonEventSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/** Loads the JSON fixtures of events stored by older releases into a store, as they were stored. */
final class StoredFixtures {
    private static final ObjectMapper JSON = JacksonEventSerializer.defaultMapper();

    private StoredFixtures() {
    }

    /** Raw-appends every event of a fixture file, in file order, each at the version the file names. */
    static int load(EventStore store, String resource) {
        JsonNode events = read(resource);
        for (JsonNode e : events) {
            RawEvent raw = new RawEvent(UUID.fromString(e.get("eventId").asText()), e.get("type").asText(),
                    e.get("schemaVersion").asInt(), bytes(e.get("payload")), Metadata.EMPTY);
            store.appendRaw(e.get("streamId").asText(), ExpectedVersion.any(), List.of(raw));
        }
        return events.size();
    }

    private static JsonNode read(String resource) {
        try (InputStream in = StoredFixtures.class.getResourceAsStream("/fixtures/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
