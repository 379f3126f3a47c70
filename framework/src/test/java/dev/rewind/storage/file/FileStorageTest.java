package dev.rewind.storage.file;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.contract.EventStorageContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file storage runs the whole storage contract, with small segments so that rolling is exercised.
 * It keeps the default {@code openAnother} (none): one writer per directory, so no other instance
 * appends to a store this one has open, and the test of appends made elsewhere skips.
 */
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
