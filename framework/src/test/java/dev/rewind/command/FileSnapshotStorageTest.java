package dev.rewind.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.spi.SnapshotStorage.Snapshot;
import dev.rewind.storage.file.FileSnapshotStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStorageTest {
    @TempDir
    Path dataDir;

    private static Snapshot snapshot(String stream, long version, String state) {
        return new Snapshot(stream, version, "tag#v1", state.getBytes(StandardCharsets.UTF_8));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dataDir.resolve("snapshots"))) {
            return s.toList();
        }
    }

    @Test
    void keeps_the_latest_snapshot_per_stream_in_a_snapshots_directory_that_survives_a_restart() throws IOException {
        FileSnapshotStorage first = FileSnapshotStorage.in(dataDir);
        first.save(snapshot("order-1", 9, "{\"a\":1}"));
        first.save(snapshot("order-1", 19, "{\"a\":2}"));
        first.save(snapshot("order-2", 9, "{\"b\":1}"));

        FileSnapshotStorage restarted = FileSnapshotStorage.in(dataDir);

        assertThat(restarted.directory()).isEqualTo(dataDir.resolve("snapshots"));
        assertThat(restarted.load("order-1")).contains(snapshot("order-1", 19, "{\"a\":2}"));
        assertThat(restarted.load("order-2")).contains(snapshot("order-2", 9, "{\"b\":1}"));
        assertThat(restarted.load("order-3")).isEmpty();
        assertThat(files()).hasSize(2);
    }

    @Test
    void an_older_snapshot_never_replaces_a_newer_one() {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        storage.save(snapshot("order-1", 19, "{\"new\":true}"));
        storage.save(snapshot("order-1", 9, "{\"old\":true}"));

        assertThat(storage.load("order-1")).get().extracting(Snapshot::streamVersion).isEqualTo(19L);
    }

    @Test
    void stream_ids_with_any_characters_get_their_own_files() {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        String longId = "x".repeat(500);
        List<String> ids = List.of("a/b", "a_b", "a:b", "../../etc/passwd", "ünïcødé", longId, "A/B");
        for (String id : ids) {
            storage.save(snapshot(id, 1, "\"" + id.length() + "\""));
        }
        for (String id : ids) {
            assertThat(storage.load(id)).get().extracting(Snapshot::streamId).isEqualTo(id);
        }
        assertThat(dataDir.resolve("snapshots").toFile().list()).hasSize(ids.size());
    }

    @Test
    void a_damaged_or_truncated_file_is_ignored() throws IOException {
        FileSnapshotStorage storage = FileSnapshotStorage.in(dataDir);
        storage.save(snapshot("order-1", 9, "{\"a\":1}"));
        storage.save(snapshot("order-2", 9, "{\"a\":1}"));
        List<Path> files = files();
        byte[] bytes = Files.readAllBytes(files.get(0));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(files.get(0), bytes);
        byte[] other = Files.readAllBytes(files.get(1));
        Files.write(files.get(1), java.util.Arrays.copyOf(other, other.length - 3));

        assertThat(storage.load("order-1")).isEmpty();
        assertThat(storage.load("order-2")).isEmpty();
    }
}
