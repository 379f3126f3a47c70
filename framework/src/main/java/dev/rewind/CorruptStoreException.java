package dev.rewind;

/** Stored data failed a check (checksum, length, format); the message names where. Nothing was changed. */
public class CorruptStoreException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    /** @param message what is corrupt, and where */
    public CorruptStoreException(String message) {
        super(message);
    }

    /**
     * @param message what is corrupt, and where
     * @param cause the underlying failure
     */
    public CorruptStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
