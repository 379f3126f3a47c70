package dev.rewind.spi;

import dev.rewind.Metadata;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to store, in serialised form: what {@link EventStorage#append} receives.
 *
 * <p>A storage keeps exactly the id, type, schema version, payload bytes and metadata it is given.
 * {@code decodedPayload} is the payload object the bytes were made from when the event was appended
 * at its current version (null for a raw append); a storage that keeps events in memory may keep it
 * as a cache, a durable storage ignores it.
 *
 * @param eventId unique in the store
 * @param type the logical type name
 * @param schemaVersion the schema version of the payload bytes
 * @param payload UTF-8 JSON bytes; the storage must not change them (callers do not either)
 * @param metadata metadata to store
 * @param decodedPayload the payload object, or null
 */
public record EventRecord(UUID eventId, String type, int schemaVersion, byte[] payload, Metadata metadata,
                          Object decodedPayload) {

    /** Checks that nothing required is missing. */
    public EventRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(metadata, "metadata");
    }

    /**
     * Whether a stored record holds the same event as this one (for recognising an exact retry).
     *
     * @param stored a stored record with the same id
     * @return true when type, schema version, bytes and metadata are equal
     */
    public boolean sameContentAs(StoredRecord stored) {
        return stored.eventId().equals(eventId) && stored.type().equals(type)
                && stored.schemaVersion() == schemaVersion && Arrays.equals(stored.payload(), payload)
                && stored.metadata().equals(metadata);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventRecord r && r.eventId.equals(eventId) && r.type.equals(type)
                && r.schemaVersion == schemaVersion && Arrays.equals(r.payload, payload)
                && r.metadata.equals(metadata);
    }

    @Override
    public int hashCode() {
        return eventId.hashCode();
    }

    @Override
    public String toString() {
        return "EventRecord[" + eventId + ", " + type + " v" + schemaVersion + ", " + payload.length + " bytes]";
    }
}
