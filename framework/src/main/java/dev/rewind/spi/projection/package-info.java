/**
 * The projection store port: {@link dev.rewind.spi.projection.ProjectionStore} keeps, per runner, the
 * {@link dev.rewind.spi.projection.Checkpoint} it resumes from and its past states. Implementations:
 * {@code InMemoryProjectionStore}, {@code FileProjectionStore}; a storage backend offers one through
 * {@link dev.rewind.spi.storage.ProjectionStoreHost}.
 */
package dev.rewind.spi.projection;
