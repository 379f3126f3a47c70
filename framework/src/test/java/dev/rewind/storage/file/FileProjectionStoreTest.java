package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.rewind.spi.projection.contract.ProjectionStoreContract.checkpoint;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.ProjectionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the file projection store shows (the shared contract runs in
 * {@link FileProjectionStoreContractTest}): its files live under the store's directory, outlive a reopen,
 * are recognised by its rules and removed by {@code deleteStore}; damage is reported naming the file and
 * never read as sound; a read-only store changes nothing.
 */
class FileProjectionStoreTest {
    @TempDir
    Path dir;

    @Test
    void the_file_store_keeps_what_it_is_given_in_projections_under_the_store_directory() throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            ProjectionStore store = storage.projectionStore();
            assertThat(dir.resolve("projections")).as("created at the first save only").doesNotExist();
            store.save(checkpoint("totals", 5, null));
            assertThat(store.load("totals")).isPresent();
            store.save(checkpoint("a name with / and ü", 1, null));
            assertThat(store.load("a name with / and ü")).isPresent();
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(reopened.projectionStore().load("a name with / and ü"))
                    .hasValueSatisfying(c -> assertThat(c.position()).isEqualTo(1));
        }
    }

    @Test
    void a_damaged_checkpoint_file_is_reported_naming_it_never_read_as_sound_and_its_entry_reads_the_header_only()
            throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            storage.projectionStore().save(checkpoint("totals", 5, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
            Path file = onlyCheckpointFile();
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 8] ^= 0x40; // inside the snapshot
            Files.write(file, bytes);

            assertThatThrownBy(() -> storage.projectionStore().load("totals"))
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("the checkpoint file " + file + " of 'totals' is damaged: checksum mismatch");
            // the entry (a temporal query's hint) reads the header only, which is intact
            assertThat(storage.projectionStore().checkpointEntry("totals").map(e -> e.position())).contains(5L);

            bytes[12] ^= 0x7f; // the header's JSON: the entry falls back to reading the file whole, and says so
            Files.write(file, bytes);
            assertThatThrownBy(() -> storage.projectionStore().checkpointEntry("totals"))
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("the checkpoint file " + file + " of 'totals' is damaged");
        }
    }

    @Test
    void a_past_state_written_again_at_its_position_is_listed_with_its_new_version_and_a_truncated_one_is_refused_when_read()
            throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            ProjectionStore store = storage.projectionStore();
            byte[] state = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
            Checkpoint v1 = checkpoint("totals", 5, state);
            store.saveHistory(v1);
            assertThat(store.history("totals")).singleElement().satisfies(h -> assertThat(h.version()).isEqualTo(v1.version()));
            // the listing remembers each file's header: a file written again at that path must be read again
            Checkpoint v2 = new Checkpoint("totals", "v2;shape=ef;handlers=gh", -1, 5, v1.eventId(), 5, 42L, 5, List.of(),
                    List.of(), List.of(), "{\"a\":22}".getBytes(StandardCharsets.UTF_8), v1.savedAt());
            store.saveHistory(v2);
            assertThat(store.history("totals")).singleElement().satisfies(h -> {
                assertThat(h.version()).isEqualTo(v2.version());
                assertThat(h.bytes()).isEqualTo(v2.snapshot().length);
            });
            assertThat(store.loadHistory("totals", 5)).contains(v2);
            store.deleteHistory("totals", 5);
            assertThat(store.history("totals")).isEmpty();

            store.saveHistory(checkpoint("totals", 7, state));
            Path file;
            try (var files = Files.list(dir.resolve("projections"))) {
                file = files.filter(Files::isDirectory).findFirst().orElseThrow();
            }
            try (var files = Files.list(file)) {
                file = files.findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));
            // its header is whole, so it is still listed; reading it finds the damage (the file was read part by part)
            assertThat(store.history("totals")).singleElement().satisfies(h -> assertThat(h.position()).isEqualTo(7));
            assertThatThrownBy(() -> store.loadHistory("totals", 7)).isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining(file + " of 'totals' is damaged");
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
