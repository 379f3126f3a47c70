package dev.rewind.storage.file;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.EventStorageContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file storage runs the shared storage contract, with small segments so that rolling is exercised. */
class FileStorageTest extends EventStorageContract {
    @TempDir
    Path tmp;

    @Override
    protected EventStorage newStorage() {
        try {
            return FileStorage.builder(Files.createTempDirectory(tmp, "store")).segmentSize(4096).open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected EventStorage reopen(EventStorage storage) {
        FileStorage file = (FileStorage) storage;
        file.close();
        return FileStorage.builder(file.directory()).segmentSize(4096).open();
    }
}
