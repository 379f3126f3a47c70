package dev.rewind.spi.storage;

import dev.rewind.Metadata;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * An event to store, serialised: what {@link EventStorage#append} receives. A storage keeps exactly the
 * id, type, schema version, payload bytes and metadata it is given.
 *
 * <p>Storages that keep events in memory may keep the payload object instead of its bytes (see
 * {@link PayloadObjectStorage}); every other storage reads {@link #payload()} and never needs the rest.
 */
public final class SerializedEvent {
    private final UUID eventId;
    private final String type;
    private final int schemaVersion;
    private final Metadata metadata;
    private final Object payloadObject;
    private final Function<Object, byte[]> encoder;
    private volatile byte[] payload;

    /**
     * @param eventId unique in the store
     * @param type the logical type name
     * @param schemaVersion the schema version of the payload bytes
     * @param payload UTF-8 JSON bytes; nobody may change them afterwards (not copied)
     * @param metadata metadata to store
     */
    public SerializedEvent(UUID eventId, String type, int schemaVersion, byte[] payload, Metadata metadata) {
        this(eventId, type, schemaVersion, Objects.requireNonNull(payload, "payload"), metadata, null, null);
    }

    private SerializedEvent(UUID eventId, String type, int schemaVersion, byte[] payload, Metadata metadata,
                            Object payloadObject, Function<Object, byte[]> encoder) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.type = Objects.requireNonNull(type, "type");
        this.schemaVersion = schemaVersion;
        this.payload = payload;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.payloadObject = payloadObject;
        this.encoder = encoder;
    }

    /**
     * An event of the type's current version whose bytes are encoded from its payload object on first
     * use (made by the store for {@link PayloadObjectStorage}s, which may never ask for the bytes).
     *
     * @param eventId unique in the store
     * @param type the logical type name
     * @param schemaVersion the type's current version
     * @param payloadObject the payload (an immutable record, or one nobody changes afterwards)
     * @param metadata metadata to store
     * @param encoder turns the payload into its UTF-8 JSON bytes, deterministically
     * @return the event
     */
    public static SerializedEvent ofObject(UUID eventId, String type, int schemaVersion, Object payloadObject,
                                           Metadata metadata, Function<Object, byte[]> encoder) {
        return new SerializedEvent(eventId, type, schemaVersion, null, metadata,
                Objects.requireNonNull(payloadObject, "payloadObject"), Objects.requireNonNull(encoder, "encoder"));
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

    /** @return the UTF-8 JSON bytes, not a copy: never modify them */
    public byte[] payload() {
        byte[] bytes = payload;
        if (bytes == null) {
            bytes = encoder.apply(payloadObject);
            payload = bytes;
        }
        return bytes;
    }

    /** @return metadata to store */
    public Metadata metadata() {
        return metadata;
    }

    /**
     * For {@link PayloadObjectStorage}s: the payload object the bytes are made from.
     *
     * @return the object, or null when the event came as bytes (a raw append)
     */
    public Object payloadObject() {
        return payloadObject;
    }

    /**
     * For {@link PayloadObjectStorage}s: the bytes if they are encoded already, without encoding them.
     *
     * @return the bytes, or null
     */
    public byte[] payloadIfEncoded() {
        return payload;
    }

    /**
     * For {@link PayloadObjectStorage}s: what turns {@link #payloadObject()} into bytes.
     *
     * @return the encoder of an event whose bytes are not encoded yet, else null
     */
    public Function<Object, byte[]> encoder() {
        return payload == null ? encoder : null;
    }

    /**
     * Whether a stored event is this one again (for recognising an exact retry): same id, type, schema
     * version and metadata, and equal payload objects or equal bytes.
     *
     * @param stored a stored event with the same id
     * @return true when the content is the same
     */
    public boolean sameContentAs(StoredSerializedEvent stored) {
        if (!stored.eventId().equals(eventId) || !stored.type().equals(type)
                || stored.schemaVersion() != schemaVersion || !stored.metadata().equals(metadata)) {
            return false;
        }
        Object other = stored.payloadObject();
        if (payloadObject != null && other != null && payloadObject.equals(other)) {
            return true;
        }
        return Arrays.equals(stored.payload(), payload());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerializedEvent r && r.eventId.equals(eventId) && r.type.equals(type)
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
        return "SerializedEvent[" + eventId + ", " + type + " v" + schemaVersion + ", "
                + (bytes == null ? "not encoded yet" : bytes.length + " bytes") + "]";
    }
}
