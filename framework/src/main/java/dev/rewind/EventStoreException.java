package dev.rewind;

/** The root of every exception the event store throws on its own account. */
public class EventStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, and where */
    public EventStoreException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, and where
     * @param cause the underlying failure
     */
    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
