package dev.rewind.storage.memory;

import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.contract.ProjectionStoreContract;

/** The projection store contract in memory. */
class InMemoryProjectionStoreTest implements ProjectionStoreContract {
    private final ProjectionStore store = new InMemoryProjectionStore();

    @Override
    public ProjectionStore projectionStore() {
        return store;
    }
}
