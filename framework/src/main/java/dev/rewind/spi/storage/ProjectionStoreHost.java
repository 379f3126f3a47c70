package dev.rewind.spi.storage;

import dev.rewind.spi.projection.ProjectionStore;

/**
 * Optional capability of an {@link EventStorage} that also keeps the projection runtime's checkpoints
 * and snapshots, next to its events (the file storage: under its directory; a database: in its
 * schema). Rewind uses it unless the application gives a {@link ProjectionStore} of its own; without
 * it, checkpoints are kept in memory.
 */
public interface ProjectionStoreHost {
    /**
     * @return the storage's projection store (the same instance on every call); read-only when the
     *     storage is
     */
    ProjectionStore projectionStore();
}
