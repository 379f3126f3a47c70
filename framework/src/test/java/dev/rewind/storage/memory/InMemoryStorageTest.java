package dev.rewind.storage.memory;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.EventStorageContract;

class InMemoryStorageTest extends EventStorageContract {
    @Override
    protected EventStorage newStorage() {
        return new InMemoryStorage();
    }
}
