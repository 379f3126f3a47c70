package dev.rewind.spi.storage;

import dev.rewind.Metadata;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * A stored event, serialised: the {@link SerializedEvent} a storage was given plus the numbers it
 * assigned. What the storage's reads return; decoding and upcasting happen above the storage.
 * Immutable; the payload bytes must not be modified by anyone.
 */
public final class StoredSerializedEvent {
    private final UUID eventId;
    private final String streamId;
    private final long streamVersion;
    private final long globalPosition;
    private final String type;
    private final int schemaVersion;
    private final Instant recordedAt;
    private volatile byte[] payload;
    private final Metadata metadata;
    private final Object payloadObject;
    private final Function<Object, byte[]> encoder;

    /**
     * @param eventId unique in the store
     * @param streamId its stream
     * @param streamVersion its place in the stream, from 0
     * @param globalPosition its place in the store, from 0
     * @param type logical type name
     * @param schemaVersion version of the payload bytes
     * @param recordedAt when the storage recorded it
     * @param payload UTF-8 JSON bytes (not copied: never modify them)
     * @param metadata its metadata
     */
    public StoredSerializedEvent(UUID eventId, String streamId, long streamVersion, long globalPosition, String type,
                                 int schemaVersion, Instant recordedAt, byte[] payload, Metadata metadata) {
        this(eventId, streamId, streamVersion, globalPosition, type, schemaVersion, recordedAt,
                Objects.requireNonNull(payload, "payload"), metadata, null, null);
    }

    private StoredSerializedEvent(UUID eventId, String streamId, long streamVersion, long globalPosition, String type,
                                  int schemaVersion, Instant recordedAt, byte[] payload, Metadata metadata,
                                  Object payloadObject, Function<Object, byte[]> encoder) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.streamId = Objects.requireNonNull(streamId, "streamId");
        this.streamVersion = streamVersion;
        this.globalPosition = globalPosition;
        this.type = Objects.requireNonNull(type, "type");
        this.schemaVersion = schemaVersion;
        this.recordedAt = Objects.requireNonNull(recordedAt, "recordedAt");
        this.payload = payload;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.payloadObject = payloadObject;
        this.encoder = encoder;
    }

    /**
     * The stored form of an appended event.
     *
     * @param event what was appended
     * @param streamId its stream
     * @param streamVersion the version assigned
     * @param globalPosition the position assigned
     * @param recordedAt the instant assigned
     * @return the stored event (with the bytes of {@code event}, encoded now if they were not yet)
     */
    public static StoredSerializedEvent of(SerializedEvent event, String streamId, long streamVersion,
                                           long globalPosition, Instant recordedAt) {
        return new StoredSerializedEvent(event.eventId(), streamId, streamVersion, globalPosition, event.type(),
                event.schemaVersion(), recordedAt, event.payload(), event.metadata());
    }

    /**
     * For {@link PayloadObjectStorage}s: a stored event that keeps its payload object, with its bytes
     * when they are encoded already, or the encoder that makes them on first use.
     *
     * @param eventId unique in the store
     * @param streamId its stream
     * @param streamVersion its place in the stream
     * @param globalPosition its place in the store
     * @param type logical type name
     * @param schemaVersion the type's current version
     * @param recordedAt when the storage recorded it
     * @param payloadObject the payload object (nobody may change it)
     * @param payload its bytes, or null when not encoded yet
     * @param encoder turns the object into its bytes (used only when {@code payload} is null)
     * @param metadata its metadata
     * @return the stored event
     */
    public static StoredSerializedEvent withObject(UUID eventId, String streamId, long streamVersion,
                                                   long globalPosition, String type, int schemaVersion,
                                                   Instant recordedAt, Object payloadObject, byte[] payload,
                                                   Function<Object, byte[]> encoder, Metadata metadata) {
        if (payload == null) {
            Objects.requireNonNull(encoder, "encoder");
        }
        return new StoredSerializedEvent(eventId, streamId, streamVersion, globalPosition, type, schemaVersion,
                recordedAt, payload, metadata, Objects.requireNonNull(payloadObject, "payloadObject"), encoder);
    }

    /** @return unique in the store */
    public UUID eventId() {
        return eventId;
    }

    /** @return its stream */
    public String streamId() {
        return streamId;
    }

    /** @return its place in the stream, from 0 */
    public long streamVersion() {
        return streamVersion;
    }

    /** @return its place in the store, from 0 */
    public long globalPosition() {
        return globalPosition;
    }

    /** @return logical type name */
    public String type() {
        return type;
    }

    /** @return version of the payload bytes */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** @return when the storage recorded it */
    public Instant recordedAt() {
        return recordedAt;
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

    /** @return its metadata */
    public Metadata metadata() {
        return metadata;
    }

    /** @return the payload object a {@link PayloadObjectStorage} kept, at the current version; else null */
    public Object payloadObject() {
        return payloadObject;
    }

    @Override
    public String toString() {
        return "StoredSerializedEvent[" + globalPosition + " " + streamId + "@" + streamVersion + " " + type + " v"
                + schemaVersion + " " + eventId + "]";
    }
}
