/**
 * The storage port: {@link dev.rewind.spi.storage.EventStorage} (eight methods), what it moves
 * ({@link dev.rewind.spi.storage.SerializedEvent} in, {@link dev.rewind.spi.storage.StoredSerializedEvent}
 * out, an {@link dev.rewind.spi.storage.AppendOutcome}), its optional capabilities, and the
 * {@link dev.rewind.spi.storage.StorageProvider} that opens a storage by URL. Shared building blocks for
 * backends live in {@code dev.rewind.storage.kernel}.
 */
package dev.rewind.spi.storage;
