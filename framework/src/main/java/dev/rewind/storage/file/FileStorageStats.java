package dev.rewind.storage.file;

import java.nio.file.Path;

/**
 * Figures about a {@link FileStorage}: {@link FileStorage#stats()}.
 *
 * @param directory the store directory
 * @param durability when appends are acknowledged
 * @param events the number of readable events
 * @param streams the number of streams
 * @param segments the number of segment files
 * @param bytes the bytes of readable records
 * @param appends the batches appended since open (exact retries not counted)
 * @param fsyncs the fsyncs done since open (one may cover many appends)
 * @param fsyncNanos the time spent in those fsyncs
 * @param gatherNanos the time committers waited, before writing, for appenders already inside
 *     {@code append} to queue their batches into the same fsync
 * @param indexes the indexes on disk and in the heap
 * @param open what the open read
 */
public record FileStorageStats(Path directory, Durability durability, long events, long streams, int segments,
                               long bytes, long appends, long fsyncs, long fsyncNanos, long gatherNanos,
                               Indexes indexes, Open open) {

    /**
     * The indexes.
     *
     * @param checkpointed the events the index files cover (the last index checkpoint); the others are
     *     indexed in the heap
     * @param runs the number of index run files
     * @param diskBytes their size on disk
     * @param heapBytes the heap the indexes hold (filters, fences and samples of the runs, and the events
     *     since the last checkpoint), estimated from their arrays
     * @param loaded whether every run's filters are in the heap yet (they load in the background after
     *     the open; look-ups before that read them on first use)
     */
    public record Indexes(long checkpointed, int runs, long diskBytes, long heapBytes, boolean loaded) {
    }

    /**
     * What opening the store read.
     *
     * @param nanos how long the open took, from the call to the storage being usable
     * @param scanNanos the part of it spent reading and checking segments: the events no checkpoint covered
     *     (after a crash) and the last events the snapshot covers (always); the rest is independent of the
     *     store's size but for one header per segment
     * @param snapshotCovered the events the index snapshot it started from covered (0 when it rebuilt the
     *     indexes from the log)
     * @param scannedEvents the events read from the log and indexed because no checkpoint covered them
     * @param scannedBytes the bytes of the log read and checked (those events, and the last events the
     *     snapshot covers, which the open checks)
     */
    public record Open(long nanos, long scanNanos, long snapshotCovered, long scannedEvents, long scannedBytes) {
    }
}
