package dev.rewind.storage.file;

import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.contract.EventStorageContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole storage contract again, with an index checkpoint every 5 events, so that almost every answer
 * comes from index runs on disk, merged in the background, rather than from the table in the heap.
 */
class FileStorageCheckpointTest extends EventStorageContract {
    static final int EVERY = 5;

    @TempDir
    Path tmp;

    @Override
    protected EventStorage newStorage() {
        try {
            return FileStorage.builder(Files.createTempDirectory(tmp, "store")).segmentSize(4096)
                    .checkpointEvents(EVERY).open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every 5 events an index run is written, synced and merged in: with the default 40,000 appends that is
     * 8,000 runs and 51 s, the longest test of the module. 1,000 per thread still cross 1,600 checkpoints
     * and their merges while 8 threads append; {@link FileStorageTest} runs the default count.
     */
    @Override
    protected int concurrentAppendsPerThread() {
        return 1_000;
    }

    @Override
    protected EventStorage reopen(EventStorage storage) {
        FileStorage file = (FileStorage) storage;
        file.close();
        return FileStorage.builder(file.directory()).segmentSize(4096).checkpointEvents(EVERY).open();
    }
}
