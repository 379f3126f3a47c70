package dev.rewind;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * An event in its stored form, for {@link EventStore#appendRaw}: the JSON bytes of one schema version
 * of a registered type, bound strictly and stored in canonical form. This is the path for imports,
 * migrations and tests of old data; a normal {@link EventStore#append} always writes the type's
 * current version.
 *
 * @param eventId the id the event will have in the store
 * @param type the logical type name as stored (a registered name, or an old name that is renamed to one)
 * @param schemaVersion the version the JSON is written at, from 1 to the type's current version
 * @param json the payload as a UTF-8 JSON object
 * @param metadata the metadata stored with it
 */
public record RawEvent(UUID eventId, String type, int schemaVersion, byte[] json, Metadata metadata) {

    /**
     * Checks that nothing is missing and copies the bytes.
     *
     * @param eventId the id the event will have in the store
     * @param type the logical type name as stored (a registered name, or an old name that is renamed to one)
     * @param schemaVersion the version the JSON is written at, from 1 to the type's current version
     * @param json the payload as a UTF-8 JSON object
     * @param metadata the metadata stored with it
     */
    public RawEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(metadata, "metadata");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schema version of " + type + " must be 1 or more, was " + schemaVersion);
        }
        json = json.clone();
    }

    /**
     * @param type the stored type name
     * @param schemaVersion the stored version
     * @param json the payload as JSON text
     * @return a raw event with a random id and empty metadata
     */
    public static RawEvent of(String type, int schemaVersion, String json) {
        return new RawEvent(UUID.randomUUID(), type, schemaVersion, json.getBytes(StandardCharsets.UTF_8), Metadata.EMPTY);
    }

    /** @return a copy of the JSON bytes */
    @Override
    public byte[] json() {
        return json.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawEvent r && r.eventId.equals(eventId) && r.type.equals(type)
                && r.schemaVersion == schemaVersion && java.util.Arrays.equals(r.json, json)
                && r.metadata.equals(metadata);
    }

    @Override
    public int hashCode() {
        return eventId.hashCode();
    }

    @Override
    public String toString() {
        return "RawEvent[" + eventId + ", " + type + " v" + schemaVersion + ", "
                + new String(json, StandardCharsets.UTF_8) + "]";
    }
}
