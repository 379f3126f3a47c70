package dev.rewind;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as stored: immutable, with its identity, its place in its stream and in the store, and
 * the time the store recorded it.
 *
 * <p>Numbering: a stream's first event has {@code streamVersion} 0 and the store's first event has
 * {@code globalPosition} 0; both are gap-free. {@code recordedAt} never decreases along the global
 * order and all events of one append share one instant.
 *
 * @param eventId unique in the whole store
 * @param streamId the stream the event belongs to, for example {@code "order-42"}
 * @param streamVersion the position inside its stream, from 0
 * @param globalPosition the position in the whole store, from 0
 * @param type the logical type name (see {@link dev.rewind.annotation.Event#name()})
 * @param schemaVersion the schema version the event was stored at (the payload is always the current one)
 * @param recordedAt when the store recorded it
 * @param payload the domain event, bound to the current version of its record class
 * @param metadata correlation, causation and free key/values
 * @param <T> the payload type
 */
public record StoredEvent<T>(
        UUID eventId,
        String streamId,
        long streamVersion,
        long globalPosition,
        String type,
        int schemaVersion,
        Instant recordedAt,
        T payload,
        Metadata metadata) {

    /**
     * Checks that nothing is missing.
     *
     * @param eventId unique in the whole store
     * @param streamId the stream the event belongs to
     * @param streamVersion the position inside its stream, from 0
     * @param globalPosition the position in the whole store, from 0
     * @param type the logical type name
     * @param schemaVersion the schema version the event was stored at
     * @param recordedAt when the store recorded it
     * @param payload the domain event
     * @param metadata correlation, causation and free key/values
     */
    public StoredEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(metadata, "metadata");
    }
}
