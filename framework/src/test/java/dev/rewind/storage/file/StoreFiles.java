package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The bytes of every file of a store directory, to show that something (a read, a refused open) changed none. */
final class StoreFiles {
    private StoreFiles() {
    }

    /** @return file name -> bytes, for every file directly in {@code store} (a directory: no bytes) */
    static Map<String, byte[]> contents(Path store) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(store)) {
            for (Path p : all.toList()) {
                files.put(p.getFileName().toString(), Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
            }
        }
        return files;
    }

    /** Fails, naming {@code where}, unless {@code store} holds exactly the files of {@code before}, byte for byte. */
    static void assertUnchanged(Map<String, byte[]> before, Path store, String where) throws IOException {
        Map<String, byte[]> after = contents(store);
        assertThat(after.keySet()).as(where).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(where + ": " + name).isEqualTo(bytes));
    }
}
