package dev.rewind;

/**
 * A stored event could not be turned into its record: bad JSON, a schema version newer than the code
 * knows, or an upcaster that failed. The message names the type, version, event id and position.
 */
public class EventDecodingException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and where
     * @param cause the underlying failure, may be null
     */
    public EventDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
