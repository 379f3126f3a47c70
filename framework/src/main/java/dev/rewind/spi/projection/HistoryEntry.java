package dev.rewind.spi.projection;

import java.util.Objects;

/**
 * A past state kept for temporal queries, as listed by {@link ProjectionStore#history}: enough to choose
 * one without reading it.
 *
 * @param position the position it is the state after
 * @param version the version that wrote it
 * @param bytes the size of its snapshot
 */
public record HistoryEntry(long position, String version, long bytes) {
    /**
     * Checks that nothing is missing.
     *
     * @param position the position it is the state after
     * @param version the version that wrote it
     * @param bytes the size of its snapshot
     */
    public HistoryEntry {
        Objects.requireNonNull(version, "version");
    }
}
