package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;

/**
 * PostgreSQL could not be reached, or the connection broke during the operation (server restarted,
 * connection terminated, pool exhausted). The operation may be retried as it is.
 *
 * <p>For an append, {@link #mayHaveBeenWritten()} tells the two cases apart, and the message says which:
 * <ul>
 *   <li>false: nothing of the batch was written (no connection could be had, or the server refused or
 *       rolled back the statement);</li>
 *   <li>true: the batch was sent and the connection broke before the answer, so it may have been
 *       committed. Retry with the same event ids: a batch that was written comes back as an exact retry
 *       ({@code alreadyAppended}, with its original numbers) and is never written twice.</li>
 * </ul>
 */
public class StorageUnavailableException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    /** Whether the failed operation was an append that may have been committed. */
    private final boolean mayHaveBeenWritten;

    /**
     * A failure after which nothing was written.
     *
     * @param message what was being done, and the database's error
     * @param cause the underlying failure
     */
    public StorageUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param message what was being done, the database's error, and whether anything may have been written
     * @param cause the underlying failure
     * @param mayHaveBeenWritten true when an append was sent and its outcome is unknown
     */
    public StorageUnavailableException(String message, Throwable cause, boolean mayHaveBeenWritten) {
        super(message, cause);
        this.mayHaveBeenWritten = mayHaveBeenWritten;
    }

    /**
     * @return true when this failed an append whose batch may have been committed before the connection
     *     broke (retry it with the same event ids to find out); false when nothing was written
     */
    public boolean mayHaveBeenWritten() {
        return mayHaveBeenWritten;
    }
}
