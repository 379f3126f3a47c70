package dev.rewind.storage.file;

/** When the {@link FileStorage} acknowledges an append. */
public enum Durability {
    /**
     * After the records are written and forced to the disk ({@code fsync}): an acknowledged event
     * survives a crash of the process and of the machine. Concurrent appends share one fsync
     * (group commit). The default.
     */
    FSYNC,
    /**
     * After the records are written to the operating system: an acknowledged event survives a crash
     * of the process, but the last ones may be lost if the machine loses power. Much faster.
     */
    RELAXED
}
