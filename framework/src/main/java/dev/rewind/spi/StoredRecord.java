package dev.rewind.spi;

import dev.rewind.Metadata;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * An event as a storage holds it: the serialised form plus the numbers the storage assigned.
 * Immutable; the payload bytes must not be modified by anyone.
 */
public final class StoredRecord {
    private final UUID eventId;
    private final String streamId;
    private final long streamVersion;
    private final long globalPosition;
    private final String type;
    private final int schemaVersion;
    private final Instant recordedAt;
    private volatile byte[] payload;
    private final Metadata metadata;
    private final Object decodedPayload;
    private final Function<Object, byte[]> encoder;

    /**
     * @param eventId unique in the store
     * @param streamId its stream
     * @param streamVersion position in the stream, from 0
     * @param globalPosition position in the store, from 0
     * @param type logical type name
     * @param schemaVersion version of the payload bytes
     * @param recordedAt when the storage recorded it
     * @param payload UTF-8 JSON bytes (not copied: never modify them)
     * @param metadata its metadata
     * @param decodedPayload the payload object at the current version when known (in-memory cache), else null
     */
    public StoredRecord(UUID eventId, String streamId, long streamVersion, long globalPosition, String type,
                        int schemaVersion, Instant recordedAt, byte[] payload, Metadata metadata,
                        Object decodedPayload) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.streamId = Objects.requireNonNull(streamId, "streamId");
        this.streamVersion = streamVersion;
        this.globalPosition = globalPosition;
        this.type = Objects.requireNonNull(type, "type");
        this.schemaVersion = schemaVersion;
        this.recordedAt = Objects.requireNonNull(recordedAt, "recordedAt");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.decodedPayload = decodedPayload;
        this.encoder = null;
    }

    private StoredRecord(UUID eventId, String streamId, long streamVersion, long globalPosition, String type,
                         int schemaVersion, Instant recordedAt, byte[] payload, Metadata metadata,
                         Object decodedPayload, Function<Object, byte[]> encoder) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.streamId = Objects.requireNonNull(streamId, "streamId");
        this.streamVersion = streamVersion;
        this.globalPosition = globalPosition;
        this.type = Objects.requireNonNull(type, "type");
        this.schemaVersion = schemaVersion;
        this.recordedAt = Objects.requireNonNull(recordedAt, "recordedAt");
        this.payload = payload;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.decodedPayload = decodedPayload;
        this.encoder = encoder;
    }

    /**
     * A stored record whose bytes are encoded from the payload object on first use: for storages that
     * keep payload objects instead of bytes ({@link EventStorage#keepsDecodedPayloads()}).
     *
     * @param eventId unique in the store
     * @param streamId its stream
     * @param streamVersion position in the stream
     * @param globalPosition position in the store
     * @param type logical type name
     * @param schemaVersion the type's current version
     * @param recordedAt when the storage recorded it
     * @param decodedPayload the payload object (nobody may change it)
     * @param metadata its metadata
     * @param encoder turns the payload object into its bytes
     * @return the record
     */
    public static StoredRecord encodedLazily(UUID eventId, String streamId, long streamVersion, long globalPosition,
                                             String type, int schemaVersion, Instant recordedAt,
                                             Object decodedPayload, Metadata metadata,
                                             Function<Object, byte[]> encoder) {
        return new StoredRecord(eventId, streamId, streamVersion, globalPosition, type, schemaVersion, recordedAt,
                null, metadata, Objects.requireNonNull(decodedPayload, "decodedPayload"),
                Objects.requireNonNull(encoder, "encoder"));
    }

    /**
     * Builds the stored form of an appended record.
     *
     * @param record what was appended
     * @param streamId its stream
     * @param streamVersion the version assigned
     * @param globalPosition the position assigned
     * @param recordedAt the instant assigned
     * @param keepDecoded whether to keep the decoded payload as a cache (in-memory storages)
     * @return the stored record
     */
    public static StoredRecord of(EventRecord record, String streamId, long streamVersion, long globalPosition,
                                  Instant recordedAt, boolean keepDecoded) {
        if (keepDecoded && record.decodedPayload() != null) {
            return new StoredRecord(record.eventId(), streamId, streamVersion, globalPosition, record.type(),
                    record.schemaVersion(), recordedAt, record.payloadIfEncoded(), record.metadata(),
                    record.decodedPayload(), record.encoder());
        }
        return new StoredRecord(record.eventId(), streamId, streamVersion, globalPosition, record.type(),
                record.schemaVersion(), recordedAt, record.payload(), record.metadata(),
                keepDecoded ? record.decodedPayload() : null);
    }

    /** @return unique in the store */
    public UUID eventId() {
        return eventId;
    }

    /** @return its stream */
    public String streamId() {
        return streamId;
    }

    /** @return position in the stream, from 0 */
    public long streamVersion() {
        return streamVersion;
    }

    /** @return position in the store, from 0 */
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

    /**
     * @return the UTF-8 JSON bytes, not a copy: never modify them (an in-memory storage that kept only
     *     the payload object encodes them on first use)
     */
    public byte[] payload() {
        byte[] bytes = payload;
        if (bytes == null) {
            bytes = encoder.apply(decodedPayload);
            payload = bytes;
        }
        return bytes;
    }

    /** @return its metadata */
    public Metadata metadata() {
        return metadata;
    }

    /** @return the payload object at the current version when the storage kept it, else null */
    public Object decodedPayload() {
        return decodedPayload;
    }

    @Override
    public String toString() {
        return "StoredRecord[" + globalPosition + " " + streamId + "@" + streamVersion + " " + type + " v"
                + schemaVersion + " " + eventId + "]";
    }
}
