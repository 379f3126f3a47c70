package dev.rewind.storage.file;

import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.spi.projection.contract.ProjectionStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The projection store contract on the file store's {@code projections/} directory, a new store per test. */
class FileProjectionStoreContractTest implements ProjectionStoreContract {
    @TempDir
    Path dir;
    private FileStorage storage;

    @BeforeEach
    void open() {
        storage = FileStorage.open(dir);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Override
    public ProjectionStore projectionStore() {
        return storage.projectionStore();
    }
}
