package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store is created only where nothing else lives, found only where one lives, and deleted only file
 * by file of its own: a directory holding anything else is never written to or wiped.
 */
class FileStorageDirectoryTest {
    @TempDir
    Path tmp;

    /** Every entry under a directory, with its bytes in hex ("/" for directories). */
    private static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                all.put(dir.relativize(p).toString(),
                        Files.isRegularFile(p) ? java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) : "/");
            }
        }
        return all;
    }

    private Path notesDir() throws IOException {
        Path dir = tmp.resolve("notes-dir");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("notes.txt"), "important");
        return dir;
    }

    @Test
    void a_directory_holding_anything_else_is_refused_by_every_open_and_nothing_is_created() throws IOException {
        Path dir = notesDir();
        Map<String, String> before = tree(dir);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(NoStoreException.class)
                .hasMessage("no Rewind store in " + dir + ": it holds notes.txt, sub and no rewind.store");
        assertThatThrownBy(() -> FileStorage.openReadOnly(dir)).isExactlyInstanceOf(NoStoreException.class);
        assertThatThrownBy(() -> FileStorage.verify(dir)).isExactlyInstanceOf(NoStoreException.class);
        assertThatThrownBy(() -> Rewind.builder().storage("file:" + dir).build())
                .isExactlyInstanceOf(NoStoreException.class);
        assertThat(FileStorage.isStore(dir)).isFalse();
        assertThat(tree(dir)).isEqualTo(before);
    }

    @Test
    void reading_never_creates_a_store_in_an_absent_or_empty_directory() throws IOException {
        Path absent = tmp.resolve("absent");
        Path empty = Files.createDirectory(tmp.resolve("empty"));

        assertThatThrownBy(() -> FileStorage.openReadOnly(absent)).isExactlyInstanceOf(NoStoreException.class)
                .hasMessage("no Rewind store in " + absent + ": the directory does not exist");
        assertThatThrownBy(() -> FileStorage.openReadOnly(empty)).isExactlyInstanceOf(NoStoreException.class)
                .hasMessage("no Rewind store in " + empty + ": the directory is empty");
        assertThatThrownBy(() -> FileStorage.verify(empty)).isExactlyInstanceOf(NoStoreException.class);
        assertThat(absent).doesNotExist();
        assertThat(tree(empty)).containsOnlyKeys("");
    }

    @Test
    void a_store_is_created_in_an_absent_directory_but_never_with_its_parents() {
        Path nested = tmp.resolve("a/b/c");
        assertThatThrownBy(() -> FileStorage.open(nested)).isExactlyInstanceOf(NoStoreException.class)
                .hasMessage("no Rewind store in " + nested + ": its parent directory " + nested.getParent()
                        + " does not exist (a store is created in an absent or empty directory, never with its"
                        + " parents)");
        assertThat(tmp.resolve("a")).doesNotExist();

        Path fresh = tmp.resolve("fresh");
        try (FileStorage storage = FileStorage.open(fresh)) {
            storage.append("s", ExpectedVersion.noStream(), List.of(FileStorageGroupCommitTest.event("x")),
                    Clock.systemUTC());
        }
        assertThat(FileStorage.isStore(fresh)).isTrue();
        try (FileStorage reader = FileStorage.openReadOnly(fresh)) {
            assertThat(reader.nextPosition()).isEqualTo(1);
        }
    }

    @Test
    void a_creation_cut_short_leaves_a_directory_that_the_next_open_completes() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("half"));
        Files.createFile(dir.resolve(StoreDirectory.LOCK_FILE)); // the first thing a creation writes
        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isZero();
        }
        Files.delete(dir.resolve(Segment.fileName(0))); // rewind.store written, the first segment not yet
        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isZero();
        }
        assertThat(dir.resolve(Segment.fileName(0))).exists();
    }

    @Test
    void delete_store_removes_exactly_what_the_store_wrote_and_refuses_anything_else() throws IOException {
        Path dir = tmp.resolve("store");
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(1024).open()) {
            for (int i = 0; i < 20; i++) {
                storage.append("s", ExpectedVersion.any(), List.of(FileStorageGroupCommitTest.event("e" + i)),
                        Clock.systemUTC());
            }
        }
        FileSnapshotStorage.in(dir).save(new dev.rewind.spi.SnapshotStorage.Snapshot("order-1", 3, "tag",
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Files.write(dir.resolve(Segment.fileName(0) + ".torn-12"), new byte[] {1, 2});
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Map<String, String> before = tree(dir);

        assertThatThrownBy(() -> FileStorage.deleteStore(dir)).isExactlyInstanceOf(EventStoreException.class)
                .hasMessage("refusing to delete the store in " + dir + ": it also holds notes.txt, which no Rewind"
                        + " store writes; nothing was deleted");
        assertThat(tree(dir)).isEqualTo(before);

        Files.delete(dir.resolve("notes.txt"));
        Files.writeString(dir.resolve(Segment.fileName(99)), "not a segment, though named like one");
        assertThatThrownBy(() -> FileStorage.deleteStore(dir)).hasMessageContaining(Segment.fileName(99));
        Files.delete(dir.resolve(Segment.fileName(99)));

        FileStorage open = FileStorage.openReadOnly(dir);
        assertThatThrownBy(() -> FileStorage.deleteStore(dir)).as("in use").hasMessageContaining("is in use");
        open.close();
        FileStorage.deleteStore(dir);
        assertThat(tree(dir)).containsOnlyKeys("");
        FileStorage.open(dir).close(); // an empty directory takes a new store
    }
}
