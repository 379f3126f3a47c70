package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StorageReads;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexes on disk (docs/adr/0011-file-store-indexes.md): answers from runs equal the log's, live, after
 * a clean close and after a crash; the open reads only what follows the last checkpoint; a damaged or
 * missing index file is never believed but rebuilt from the log with a WARN (a read-only open rebuilds it
 * elsewhere and changes no file); verify and the scrub report damage and repair nothing.
 */
class FileStorageIndexTest {
    private static final int EVERY = 16;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture(FileStorage.class);

    private FileStorage open() {
        return FileStorage.builder(dir).segmentSize(8192).checkpointEvents(EVERY).open();
    }

    /** Appends {@code batches} batches of 1-3 events over 13 streams, each batch a millisecond after the last. */
    private static List<StoredSerializedEvent> fill(FileStorage storage, int from, int batches, long seed) {
        Random random = new Random(seed);
        List<StoredSerializedEvent> stored = new ArrayList<>();
        for (int i = from; i < from + batches; i++) {
            int size = 1 + random.nextInt(3);
            List<SerializedEvent> batch = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                UUID id = random.nextBoolean() ? UUID.randomUUID()
                        : UUID.nameUUIDFromBytes(("command " + seed + "/" + i + "/" + k).getBytes(StandardCharsets.UTF_8));
                batch.add(new SerializedEvent(id, "Noted", 1, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                        Metadata.correlatedBy("c" + i)));
            }
            String stream = "stream-" + random.nextInt(13);
            stored.addAll(StorageReads.appended(storage, stream, ExpectedVersion.any(), batch,
                    Clock.fixed(T0.plusMillis(i), ZoneOffset.UTC)));
        }
        return stored;
    }

    private List<Path> runFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Run.isRunName(p.getFileName().toString()))
                    .sorted(Comparator.comparingLong(p -> -p.toFile().length())).toList();
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }

    /** @return the files under the store's directory this JVM has mapped now, as /proc/self/maps names them */
    private List<String> mappedFiles() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(dir.toString())).map(l -> l.substring(l.indexOf('/')))
                    .distinct().sorted().toList();
        }
    }

    private List<String> mappedRunFiles() throws IOException {
        return mappedFiles().stream()
                .filter(n -> Run.isRunName(Path.of(n.replace(" (deleted)", "")).getFileName().toString())).toList();
    }

    @Test
    void an_index_file_merged_away_is_unmapped_when_retired_and_a_closed_store_maps_nothing() throws IOException {
        // index files and segments are read through mappings (docs/adr/0020-index-files-read-through-mappings.md)
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")),
                "this test reads the JVM's mappings from /proc/self/maps (Linux)");
        try (FileStorage storage = open()) {
            List<StoredSerializedEvent> stored = fill(storage, 0, 400, 3);
            IndexAnswers.assertAnswers(storage, stored); // reads every run
            assertThat(storage.stats().indexes().runs()).as("some runs were merged away")
                    .isLessThan(stored.size() / EVERY);
            // a merge finishing right now may delete an old run just before the store lets go of it: poll until
            // every run file mapped is one on disk (runs are mapped at their first look-up)
            dev.rewind.Polls.until(() -> {
                try {
                    return runFiles().stream().map(Path::toString).toList().containsAll(mappedRunFiles());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Duration.ofSeconds(10), "the mapped index files to be ones on disk");
            assertThat(mappedRunFiles()).as("mapped: runs on disk, none deleted").noneMatch(n -> n.endsWith("(deleted)"));
            assertThat(mappedFiles()).as("sealed segments read by the answers are mapped")
                    .anyMatch(n -> n.endsWith(Segment.SUFFIX));
        }
        assertThat(mappedFiles()).as("mapped after the close").isEmpty();
    }

    @Test
    void answers_from_the_runs_equal_the_log_live_after_a_clean_close_and_after_a_crash() {
        List<StoredSerializedEvent> stored;
        try (FileStorage storage = open()) {
            stored = new ArrayList<>(fill(storage, 0, 400, 1));
            IndexAnswers.assertAnswers(storage, stored);
        }
        FileStorageStats.Open clean;
        try (FileStorage storage = open()) {
            FileStorageStats stats = storage.stats();
            clean = stats.open();
            assertThat(stats.indexes().checkpointed()).as("a clean close checkpoints everything").isEqualTo(stored.size());
            assertThat(stats.indexes().runs()).as("merged: a few runs, not one per checkpoint")
                    .isBetween(1, 3 * IndexStore.FANOUT);
            IndexAnswers.assertAnswers(storage, stored);
            stored.addAll(fill(storage, 400, 100, 2));
            storage.abandon(); // as a SIGKILL leaves it: no clean close, no last checkpoint
        }
        assertThat(clean.scannedEvents()).as("nothing to index after a clean close").isZero();
        assertThat(clean.snapshotCovered()).isEqualTo(stored.size() - stored.stream()
                .filter(r -> r.recordedAt().isAfter(T0.plusMillis(399))).count());
        try (FileStorage storage = open()) {
            FileStorageStats.Open crash = storage.stats().open();
            assertThat(crash.snapshotCovered() + crash.scannedEvents()).isEqualTo(stored.size());
            assertThat(crash.scannedEvents()).as("only what follows the last checkpoint")
                    .isLessThanOrEqualTo(3L * EVERY + 3);
            IndexAnswers.assertAnswers(storage, stored);
        }
        assertThat(logs.messages(Level.WARN)).isEmpty();
        assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
    }

    @Test
    void a_damaged_index_file_is_found_by_the_look_up_that_reads_it_and_rebuilt_from_the_log_with_a_warning()
            throws IOException {
        List<StoredSerializedEvent> stored;
        try (FileStorage storage = open()) {
            stored = fill(storage, 0, 300, 3);
        }
        Path run = runFiles().get(0);
        flipByte(run, BlockFile.BLOCK / 2); // the first block: offsets and ids, not the footer
        VerifyReport report = FileStorage.verify(dir);
        assertThat(report.ok()).isTrue();
        assertThat(report.notes()).singleElement().asString().startsWith("the index file " + run
                + " is damaged (checksum mismatch in block 0)");

        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, stored);
        }
        assertThat(logs.messages(Level.WARN)).singleElement().asString().startsWith("The index file " + run
                + " is damaged (checksum mismatch in block 0); rebuilding it from the log (global positions ");
        assertThat(run).as("replaced").doesNotExist();
        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, stored);
        }
        assertThat(logs.messages(Level.WARN)).hasSize(1);
        assertThat(FileStorage.verify(dir).notes()).isEmpty();
    }

    @Test
    void a_run_damaged_at_its_footer_or_missing_is_rebuilt_at_the_open_and_a_read_only_open_changes_no_file()
            throws IOException {
        List<StoredSerializedEvent> stored;
        try (FileStorage storage = open()) {
            stored = fill(storage, 0, 300, 4);
        }
        Path damaged = runFiles().get(0);
        flipByte(damaged, Files.size(damaged) - 100); // the last block holds the footer
        Map<String, byte[]> before = StoreFiles.contents(dir);
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            IndexAnswers.assertAnswers(reader, stored);
        }
        StoreFiles.assertUnchanged(before, dir, "a read-only open rebuilds elsewhere");

        Path missing = runFiles().get(1);
        Files.delete(missing);
        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, stored);
        }
        List<String> warned = logs.messages(Level.WARN);
        assertThat(warned).anyMatch(w -> w.startsWith("The index file " + damaged + " is damaged ("));
        assertThat(warned).anyMatch(w -> w.startsWith("The index file " + missing + " is missing; rebuilding it"));
        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, stored);
        }
        assertThat(FileStorage.verify(dir).notes()).isEmpty();
    }

    @Test
    void streams_whose_names_hash_alike_are_told_apart_by_their_records() {
        java.util.function.ToLongFunction<byte[]> hash = Bloom.streamHash;
        Bloom.streamHash = name -> 42L; // every stream collides with every other
        try {
            List<StoredSerializedEvent> stored;
            try (FileStorage storage = open()) {
                stored = new ArrayList<>(fill(storage, 0, 150, 7));
                IndexAnswers.assertAnswers(storage, stored);
            }
            try (FileStorage storage = open()) {
                IndexAnswers.assertAnswers(storage, stored);
                stored.addAll(fill(storage, 150, 30, 8)); // appends check versions against runs on disk
                IndexAnswers.assertAnswers(storage, stored);
            }
        } finally {
            Bloom.streamHash = hash;
        }
    }

    @Test
    void the_heap_the_indexes_hold_per_event_stays_small_once_checkpointed() {
        try (FileStorage storage = FileStorage.builder(dir).checkpointEvents(1024).open()) {
            for (int i = 0; i < 2000; i++) {
                List<SerializedEvent> batch = new ArrayList<>();
                for (int k = 0; k < 10; k++) {
                    batch.add(new SerializedEvent(UUID.randomUUID(), "Noted", 1, "{}".getBytes(StandardCharsets.UTF_8),
                            Metadata.EMPTY));
                }
                storage.append("order-" + i, ExpectedVersion.noStream(), batch, Clock.systemUTC());
            }
        }
        try (FileStorage storage = FileStorage.builder(dir).checkpointEvents(1024).open()) {
            storage.awaitIndexesLoaded(10_000);
            FileStorageStats.Indexes indexes = storage.stats().indexes();
            assertThat(indexes.loaded()).isTrue();
            assertThat((double) indexes.heapBytes() / storage.nextPosition()).as("heap bytes per event")
                    .isLessThan(4.0);
        }
    }

    @Test
    void the_id_filter_answers_absent_for_about_one_key_in_a_hundred_it_never_held() {
        Random random = new Random(42);
        int n = 100_000;
        Bloom bloom = Bloom.forKeys(n);
        for (int i = 0; i < n; i++) {
            bloom.add(Bloom.hashId(random.nextLong(), random.nextLong()));
        }
        random = new Random(42);
        for (int i = 0; i < n; i++) {
            assertThat(bloom.mayContain(Bloom.hashId(random.nextLong(), random.nextLong()))).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < n; i++) {
            if (bloom.mayContain(Bloom.hashId(random.nextLong(), random.nextLong()))) {
                falsePositives++;
            }
        }
        System.out.printf("Bloom filter, %d bits per key: %.3f%% false positives%n", Bloom.BITS_PER_KEY,
                100.0 * falsePositives / n);
        assertThat((double) falsePositives / n).isLessThan(0.02);
    }

    @Test
    void the_stream_hash_of_a_name_is_the_hash_of_its_utf8_bytes_with_or_without_ascii() {
        for (String name : List.of("order-42", "", "commande-é", "注文-7", "a\u0000b")) {
            assertThat(Bloom.hashStream(name)).as(name).isEqualTo(Bloom.hashStream(name.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(Bloom.hashStream("order-1")).isNotEqualTo(Bloom.hashStream("order-2"));
    }

    @Test
    void the_scrub_reports_an_old_damaged_record_and_repairs_nothing() throws IOException {
        List<StoredSerializedEvent> stored;
        try (FileStorage storage = open()) {
            stored = fill(storage, 0, 50, 5);
        }
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(8192).checkpointEvents(EVERY)
                .scrubEvery(Duration.ofSeconds(1)).open()) {
            VerifyReport first = awaitScrub(storage, null);
            assertThat(first.outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
            assertThat(first.events()).isEqualTo(stored.size());
            Path segment = dir.resolve(Segment.fileName(0));
            flipByte(segment, 40); // in the body of the first record
            byte[] damaged = Files.readAllBytes(segment);
            VerifyReport second = awaitScrub(storage, first);
            assertThat(second.outcome()).isEqualTo(VerifyReport.Outcome.DAMAGED);
            assertThat(second.problems()).singleElement().asString().startsWith("corrupt record in segment " + segment
                    + " at offset 0 (global position 0)");
            assertThat(Files.readAllBytes(segment)).as("nothing repaired").isEqualTo(damaged);
            assertThatThrownBy(() -> StorageReads.page(storage, 0, 1)).hasMessageContaining("checksum mismatch");
        }
        assertThat(logs.messages(Level.ERROR)).anyMatch(m -> m.startsWith("The scrub of " + dir + " found: corrupt"));
    }

    /** Polls (bounded) until the scrub has finished a pass other than {@code after}. */
    private static VerifyReport awaitScrub(FileStorage storage, VerifyReport after) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        VerifyReport r;
        while ((r = storage.lastScrub()) == null || r == after) {
            assertThat(System.nanoTime()).as("a scrub pass within 30 s").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return r;
    }

    @Test
    void delete_store_removes_the_index_files_and_refuses_a_foreign_file_named_like_one() throws IOException {
        try (FileStorage storage = open()) {
            fill(storage, 0, 100, 6);
        }
        assertThat(runFiles()).isNotEmpty();
        Path fake = dir.resolve(Run.fileName(0, 5, 999));
        Files.writeString(fake, "not a run, though named like one");
        assertThatThrownBy(() -> FileStorage.deleteStore(dir)).hasMessageContaining(fake.getFileName().toString());
        Files.delete(fake);
        FileStorage.deleteStore(dir);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
