package dev.rewind.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.Rewind;
import dev.rewind.spi.storage.contract.ContractFixtures;
import dev.rewind.storage.file.FileStorage;
import dev.rewind.storage.file.TestFiles;
import dev.rewind.storage.memory.InMemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storages chosen by URL through the StorageProvider SPI, and the default when none is named. */
class StorageUrlTest {
    @org.junit.jupiter.api.extension.RegisterExtension
    final dev.rewind.LogCapture logs = new dev.rewind.LogCapture(Rewind.class, ch.qos.logback.classic.Level.INFO);

    @Test
    void a_file_url_opens_the_durable_file_log(@TempDir Path dir) {
        String url = "file:" + dir.resolve("store");
        try (Rewind rewind = ContractFixtures.builder().storage(url).build()) {
            rewind.store().append("s", ExpectedVersion.noStream(), List.of(new ContractFixtures.Placed("s", 1)));
        }
        try (Rewind again = ContractFixtures.builder().storage(url).build()) {
            assertThat(again.store().readStream("s", 0)).singleElement()
                    .satisfies(e -> assertThat(e.payload()).isEqualTo(new ContractFixtures.Placed("s", 1)));
        }
        assertThat(dir.resolve("store")).isDirectory();
    }

    @Test
    void memory_url_opens_an_empty_in_memory_store() {
        try (Rewind rewind = ContractFixtures.builder().storage("memory:").build()) {
            assertThat(rewind.store().nextPosition()).isZero();
        }
    }

    @Test
    void an_unknown_scheme_names_the_url_and_the_known_schemes() {
        assertThatThrownBy(() -> ContractFixtures.builder().storage("redis://localhost").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no storage for the URL 'redis://localhost': known schemes are [file:, memory:]"
                        + " (a storage module on the class path adds its own, e.g. rewind-postgres for jdbc:postgresql:)");
    }

    @Test
    void a_file_url_without_a_directory_is_refused() {
        assertThatThrownBy(() -> ContractFixtures.builder().storage("file:").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the URL 'file:' names no directory: write file:DIR, e.g. file:data");
    }

    @Test
    void the_storage_named_last_wins() {
        InMemoryStorage storage = new InMemoryStorage();
        try (Rewind rewind = ContractFixtures.builder().storage("file:never-created").storage(storage).build()) {
            rewind.store().append("s", ExpectedVersion.any(), List.of(new ContractFixtures.Placed("s", 1)));
        }
        assertThat(storage.nextPosition()).isEqualTo(1);
        assertThat(Path.of("never-created")).doesNotExist();
    }

    @Test
    void without_any_configuration_the_default_is_the_file_log_in_rewind_data() throws Exception {
        assertThat(Rewind.Builder.DEFAULT_STORAGE).isEqualTo("file:rewind-data");
        String saved = System.getProperty("rewind.storage");
        Path data = Path.of("rewind-data");
        assertThat(data).as("left over by an earlier run").doesNotExist();
        System.clearProperty("rewind.storage");
        try {
            if (System.getenv("REWIND_STORAGE") == null) {
                try (Rewind rewind = ContractFixtures.builder().build()) {
                    rewind.store().append("s", ExpectedVersion.any(), List.of(new ContractFixtures.Placed("s", 2)));
                }
                assertThat(data).isDirectory();
                assertThat(logs.messages(ch.qos.logback.classic.Level.INFO)).contains("No storage configured: using"
                        + " the embedded file store in " + data.toAbsolutePath() + " (events stay there between runs);"
                        + " choose another with Rewind.builder().storage(\"file:DIR\" or \"memory:\"), the system"
                        + " property rewind.storage or the environment variable REWIND_STORAGE");
                try (FileStorage reopened = FileStorage.open(data)) {
                    assertThat(reopened.nextPosition()).isEqualTo(1);
                }
            }
        } finally {
            if (saved != null) {
                System.setProperty("rewind.storage", saved);
            }
            if (Files.exists(data)) {
                TestFiles.deleteTree(data);
            }
        }
    }
}
