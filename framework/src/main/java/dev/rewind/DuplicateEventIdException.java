package dev.rewind;

import java.util.UUID;

/**
 * An append carried an event id that is already stored (and was not an exact retry of the batch
 * that stored it). Nothing of the batch was written.
 */
public class DuplicateEventIdException extends EventStoreException {
    private static final long serialVersionUID = 1L;
    /** The id already stored, or repeated in the batch. */
    private final UUID eventId;

    /**
     * @param eventId the id already stored
     * @param detail where it is stored, or why the batch is not an exact retry
     */
    public DuplicateEventIdException(UUID eventId, String detail) {
        super("duplicate event id " + eventId + ": " + detail);
        this.eventId = eventId;
    }

    /** @return the id already stored */
    public UUID eventId() {
        return eventId;
    }
}
