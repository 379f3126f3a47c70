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
 */
public record FileStorageStats(Path directory, Durability durability, long events, int streams, int segments, long bytes,
                    long appends, long fsyncs, long fsyncNanos, long gatherNanos) {
}
