package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.ProjectionStore;
import dev.rewind.storage.memory.InMemoryProjectionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projection stores: a checkpoint comes back whole, is replaced whole, damage is reported and never
 * read as sound; a read-only store changes nothing; the file store's files live under the store's
 * directory, are recognised by its rules and removed by {@code deleteStore}.
 */
class FileProjectionStoreTest {
    private static final Instant T = Instant.parse("2024-05-01T15:00:00Z");
    private static final UUID ID = new UUID(1, 2);

    @TempDir
    Path dir;

    static Checkpoint checkpoint(String name, long position, byte[] snapshot) {
        ParkedEvent parked = new ParkedEvent(3, new UUID(3, 3), "s-1", "Added", T, 3, "boom", -1);
        Decision decision = new Decision(T, Decision.Kind.PARKED, 3, new UUID(3, 3), "s-1", "boom", null);
        return new Checkpoint(name, "v1;shape=ab;handlers=cd", -1, position, ID, position, 42L, position,
                List.of(parked), List.of(2L), List.of(decision), snapshot, T);
    }

    private static void contract(ProjectionStore store) {
        assertThat(store.load("totals")).isEmpty();
        Checkpoint first = checkpoint("totals", 5, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        store.save(first);
        assertThat(store.load("totals")).contains(first);

        Checkpoint second = checkpoint("totals", 9, null);
        store.save(second);
        assertThat(store.load("totals")).contains(second);
        assertThat(store.load("other name")).isEmpty();

        store.saveHistory(checkpoint("totals", 100, new byte[10]));
        store.saveHistory(checkpoint("totals", 50, new byte[20]));
        assertThat(store.history("totals")).extracting(HistoryEntry::position, HistoryEntry::bytes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(50L, 20L), org.assertj.core.groups.Tuple.tuple(100L, 10L));
        assertThat(store.loadHistory("totals", 50)).hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(50));
        store.deleteHistory("totals", 50);
        assertThat(store.history("totals")).extracting(HistoryEntry::position).containsExactly(100L);

        store.delete("totals");
        assertThat(store.load("totals")).isEmpty();
        assertThat(store.history("totals")).isEmpty();
    }

    @Test
    void the_memory_store_keeps_what_it_is_given() {
        contract(new InMemoryProjectionStore());
    }

    @Test
    void the_file_store_keeps_what_it_is_given_in_projections_under_the_store_directory() throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            ProjectionStore store = storage.projectionStore();
            assertThat(dir.resolve("projections")).as("created at the first save only").doesNotExist();
            contract(store);
            store.save(checkpoint("a name with / and ü", 1, null));
            assertThat(store.load("a name with / and ü")).isPresent();
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(reopened.projectionStore().load("a name with / and ü"))
                    .hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(1));
        }
    }

    @Test
    void a_damaged_checkpoint_file_is_reported_naming_it_never_read_as_sound() throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            storage.projectionStore().save(checkpoint("totals", 5, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
            Path file = onlyCheckpointFile();
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 8] ^= 0x40; // inside the snapshot
            Files.write(file, bytes);

            assertThatThrownBy(() -> storage.projectionStore().load("totals"))
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("the checkpoint file " + file + " of 'totals' is damaged: checksum mismatch");
        }
    }

    @Test
    void a_read_only_store_refuses_every_write_and_creates_nothing() throws IOException {
        FileStorage.open(dir).close();
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            assertThat(reader.projectionStore().isReadOnly()).isTrue();
            assertThatThrownBy(() -> reader.projectionStore().save(checkpoint("totals", 1, null)))
                    .isInstanceOf(EventStoreException.class)
                    .hasMessageContaining("read-only");
            assertThat(reader.projectionStore().load("totals")).isEmpty();
        }
        assertThat(dir.resolve("projections")).doesNotExist();
    }

    @Test
    void delete_store_removes_the_projection_files_with_the_rest_and_refuses_a_stranger_among_them() throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            storage.projectionStore().save(checkpoint("totals", 1, null));
            storage.projectionStore().saveHistory(checkpoint("totals", 1, new byte[3]));
        }
        assertThat(FileStorage.isStore(dir)).isTrue();
        Path stranger = dir.resolve("projections").resolve("notes.txt");
        Files.writeString(stranger, "mine");
        assertThatThrownBy(() -> FileStorage.deleteStore(dir))
                .isInstanceOf(EventStoreException.class)
                .hasMessageContaining("projections/");
        Files.delete(stranger);

        FileStorage.deleteStore(dir);

        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    private Path onlyCheckpointFile() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("projections"))) {
            return files.filter(p -> p.toString().endsWith(".ckpt")).findFirst().orElseThrow();
        }
    }
}
