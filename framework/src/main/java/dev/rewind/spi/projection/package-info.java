/**
 * The projection store port: {@link dev.rewind.spi.projection.ProjectionStore} keeps, per runner, the
 * {@link dev.rewind.spi.projection.Checkpoint} it resumes from and its past states. Implementations:
 * {@code InMemoryProjectionStore}, {@code FileProjectionStore}; a storage backend offers one through
 * {@link dev.rewind.spi.storage.ProjectionStoreHost}. A store shared by several processes may also offer
 * {@link dev.rewind.spi.projection.ProjectionLeases}: one owner per runner, fenced saves
 * ({@link dev.rewind.spi.projection.Lease}, {@link dev.rewind.spi.projection.LeaseLostException}), and
 * {@link dev.rewind.spi.projection.InstanceMembership}: the live instances, over which owned runners spread.
 */
package dev.rewind.spi.projection;
