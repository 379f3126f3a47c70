package dev.rewind.spi;

import dev.rewind.Metadata;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * An event to store, in serialised form: what {@link EventStorage#append} receives.
 *
 * <p>A storage keeps exactly the id, type, schema version, payload bytes and metadata it is given.
 * {@link #decodedPayload()} is the payload object the bytes are made from when the event was appended
 * at its current version (null for a raw append). A storage that keeps events in memory
 * ({@link EventStorage#keepsDecodedPayloads()}) may keep that object instead of the bytes: the bytes
 * are then produced only when someone asks for them ({@link #payload()}), which keeps JSON encoding
 * off the in-memory append path. For every other storage the store produces the bytes before
 * {@code append} is called, outside any lock of the storage.
 */
public final class EventRecord {
    private final UUID eventId;
    private final String type;
    private final int schemaVersion;
    private final Metadata metadata;
    private final Object decodedPayload;
    private final Function<Object, byte[]> encoder;
    private volatile byte[] payload;

    /**
     * A record with its bytes.
     *
     * @param eventId unique in the store
     * @param type the logical type name
     * @param schemaVersion the schema version of the payload bytes
     * @param payload UTF-8 JSON bytes; nobody may change them afterwards (not copied)
     * @param metadata metadata to store
     * @param decodedPayload the payload object the bytes were made from, or null
     */
    public EventRecord(UUID eventId, String type, int schemaVersion, byte[] payload, Metadata metadata,
                       Object decodedPayload) {
        this(eventId, type, schemaVersion, Objects.requireNonNull(payload, "payload"), metadata, decodedPayload, null);
    }

    private EventRecord(UUID eventId, String type, int schemaVersion, byte[] payload, Metadata metadata,
                        Object decodedPayload, Function<Object, byte[]> encoder) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.type = Objects.requireNonNull(type, "type");
        this.schemaVersion = schemaVersion;
        this.payload = payload;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.decodedPayload = decodedPayload;
        this.encoder = encoder;
    }

    /**
     * A record whose bytes are encoded from the payload object on first use.
     *
     * @param eventId unique in the store
     * @param type the logical type name
     * @param schemaVersion the type's current version
     * @param payload the payload object (an immutable record or one nobody changes afterwards)
     * @param metadata metadata to store
     * @param encoder turns the payload into its UTF-8 JSON bytes, deterministically
     * @return the record
     */
    public static EventRecord encodedLazily(UUID eventId, String type, int schemaVersion, Object payload,
                                            Metadata metadata, Function<Object, byte[]> encoder) {
        return new EventRecord(eventId, type, schemaVersion, null, metadata, Objects.requireNonNull(payload, "payload"),
                Objects.requireNonNull(encoder, "encoder"));
    }

    /** @return unique in the store */
    public UUID eventId() {
        return eventId;
    }

    /** @return the logical type name */
    public String type() {
        return type;
    }

    /** @return the schema version of the payload bytes */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** @return the UTF-8 JSON bytes (encoded now if they were not yet); never modify them */
    public byte[] payload() {
        byte[] bytes = payload;
        if (bytes == null) {
            bytes = encoder.apply(decodedPayload);
            payload = bytes;
        }
        return bytes;
    }

    /** @return metadata to store */
    public Metadata metadata() {
        return metadata;
    }

    /** @return the payload object, or null for a raw record */
    public Object decodedPayload() {
        return decodedPayload;
    }

    /**
     * For storages that keep payload objects: what turns {@link #decodedPayload()} into bytes.
     *
     * @return the encoder of a record whose bytes are not encoded yet, or null
     */
    public Function<Object, byte[]> encoder() {
        return payload == null ? encoder : null;
    }

    /**
     * For storages that keep payload objects: the bytes without encoding them.
     *
     * @return the bytes if they are encoded already, else null
     */
    public byte[] payloadIfEncoded() {
        return payload;
    }

    /**
     * Whether a stored record holds the same event as this one (for recognising an exact retry): same
     * id, type, schema version and metadata, and equal payload objects or equal bytes.
     *
     * @param stored a stored record with the same id
     * @return true when the content is the same
     */
    public boolean sameContentAs(StoredRecord stored) {
        if (!stored.eventId().equals(eventId) || !stored.type().equals(type)
                || stored.schemaVersion() != schemaVersion || !stored.metadata().equals(metadata)) {
            return false;
        }
        Object other = stored.decodedPayload();
        if (decodedPayload != null && other != null && decodedPayload.equals(other)) {
            return true;
        }
        return Arrays.equals(stored.payload(), payload());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventRecord r && r.eventId.equals(eventId) && r.type.equals(type)
                && r.schemaVersion == schemaVersion && Arrays.equals(r.payload(), payload())
                && r.metadata.equals(metadata);
    }

    @Override
    public int hashCode() {
        return eventId.hashCode();
    }

    @Override
    public String toString() {
        byte[] bytes = payload;
        return "EventRecord[" + eventId + ", " + type + " v" + schemaVersion + ", "
                + (bytes == null ? "not encoded yet" : bytes.length + " bytes") + "]";
    }
}
