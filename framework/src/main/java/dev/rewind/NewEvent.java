package dev.rewind;

import java.util.Objects;
import java.util.UUID;

/**
 * An event to append, with the id and metadata the caller chooses. Appending a bare payload gives it
 * a random id and empty metadata; wrap it in a {@code NewEvent} to choose them (for example an id
 * derived from a command id, so that a retried append is recognised).
 *
 * @param eventId the id the event will have in the store
 * @param payload the domain event (a record annotated with {@link dev.rewind.annotation.Event})
 * @param metadata the metadata stored with it
 */
public record NewEvent(UUID eventId, Object payload, Metadata metadata) {

    /**
     * Checks that nothing is missing.
     *
     * @param eventId the id the event will have in the store
     * @param payload the domain event (a record annotated with {@link dev.rewind.annotation.Event})
     * @param metadata the metadata stored with it
     */
    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(metadata, "metadata");
    }

    /**
     * @param payload the domain event
     * @return a new event with a new id (time-ordered, see {@code EventIds}) and empty metadata
     */
    public static NewEvent of(Object payload) {
        return new NewEvent(EventIds.next(), payload, Metadata.EMPTY);
    }

    /**
     * @param payload the domain event
     * @param metadata its metadata
     * @return a new event with a new id (time-ordered, see {@code EventIds})
     */
    public static NewEvent of(Object payload, Metadata metadata) {
        return new NewEvent(EventIds.next(), payload, metadata);
    }
}
