package dev.rewind.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File helpers shared by the file-storage tests and benches. */
public final class TestFiles {
    private TestFiles() {
    }

    /**
     * Deletes a directory and everything in it, deepest first.
     *
     * @param dir an existing directory
     * @throws IOException when it cannot be walked (a failed delete is thrown as {@link UncheckedIOException})
     */
    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
