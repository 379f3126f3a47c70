package dev.rewind.storage.memory;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.contract.EventStorageContract;

/**
 * The in-memory storage runs the whole storage contract. It keeps nothing across a close and belongs to
 * one process, so the durability test and the test of appends made through another instance skip.
 */
class InMemoryStorageTest extends EventStorageContract {
    @Override
    protected EventStorage newStorage() {
        return new InMemoryStorage();
    }
}
