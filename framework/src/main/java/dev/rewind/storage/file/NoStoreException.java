package dev.rewind.storage.file;

import dev.rewind.EventStoreException;
import java.nio.file.Path;

/**
 * A directory holds no Rewind store where one was expected: it is absent, or it holds files the store
 * did not write. Nothing was created or changed in it.
 */
public class NoStoreException extends EventStoreException {
    private static final long serialVersionUID = 1L;

    /** The directory, absolute. */
    private final transient Path directory;

    /**
     * @param directory the directory
     * @param why what was found there instead of a store
     */
    public NoStoreException(Path directory, String why) {
        super("no Rewind store in " + directory + ": " + why);
        this.directory = directory;
    }

    /** @return the directory that holds no store */
    public Path directory() {
        return directory;
    }
}
