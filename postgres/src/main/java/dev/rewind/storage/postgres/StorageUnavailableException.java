package dev.rewind.storage.postgres;

import dev.rewind.EventStoreException;

/**
 * PostgreSQL could not be reached, or the connection broke during the operation (server restarted,
 * connection terminated, pool exhausted). The operation may be retried as it is.
 *
 * <p>For an append: a batch is all or nothing. When the connection broke before the commit was
 * acknowledged, the batch may or may not have been committed; retrying it with the same event ids is
 * always safe, because a batch that did commit is recognised as an exact retry and returns the
 * original records (with {@code alreadyAppended}) instead of being written twice.
 */
public class StorageUnavailableException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done, and the database's error
     * @param cause the underlying failure
     */
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
