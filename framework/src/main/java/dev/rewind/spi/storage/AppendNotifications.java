package dev.rewind.spi.storage;

import java.util.function.LongConsumer;

/**
 * Optional capability of an {@link EventStorage} that learns of appends made elsewhere (another process
 * sharing the store, a watcher thread). Without it the store learns of new events only from its own
 * appends.
 */
public interface AppendNotifications {
    /**
     * Registers a callback the storage calls, with the new {@link EventStorage#nextPosition()}, whenever
     * events become readable, including events appended by another process.
     *
     * @param onNextPosition called with the new next position; must be quick and must not throw
     */
    void onAppended(LongConsumer onNextPosition);
}
