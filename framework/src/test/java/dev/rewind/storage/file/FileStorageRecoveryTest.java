package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.rewind.CorruptStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery rule (docs/adr/0009): what the open does with a log cut short by a crash (cuts the torn
 * tail) and with a damaged or shortened acknowledged record (refuses, changes nothing), and what a
 * read-only open and verify make of both.
 */
class FileStorageRecoveryTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture(FileStorage.class);

    private Path segment(long base) {
        return dir.resolve(Segment.fileName(base));
    }

    /**
     * Appends one batch per element, {@code sizes[i]} events each, to stream "s" (each batch its own write),
     * then leaves the store as a process killed at that moment does: no clean close, no index snapshot.
     */
    private List<StoredSerializedEvent> appendBatches(int... sizes) {
        return appendBatches(false, sizes);
    }

    /** The same, closing the store cleanly when {@code close} is set. */
    private List<StoredSerializedEvent> appendBatches(boolean close, int... sizes) {
        List<StoredSerializedEvent> out = new ArrayList<>();
        FileStorage storage = FileStorage.open(dir);
        for (int size : sizes) {
            List<SerializedEvent> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(FileStorageGroupCommitTest.event("event " + out.size() + "/" + i));
            }
            out.addAll(StorageReads.stored(storage.append("s", ExpectedVersion.any(), batch, Clock.systemUTC()), "s",
                    batch));
        }
        if (close) {
            storage.close();
        } else {
            storage.abandon();
        }
        return out;
    }

    private static List<Long> offsets(Path segment) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            SegmentScanner.scan(ch, 0, false, (r, offset, end) -> offsets.add(offset));
        }
        return offsets;
    }

    /** Cuts a segment short, as a crash mid-write does. */
    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void flipBit(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x10);
        }
    }

    private List<String> warnings() {
        return logs.messages(Level.WARN);
    }

    @Test
    void after_a_crash_a_record_cut_short_at_the_end_is_cut_with_a_warning_and_its_bytes_are_kept() throws IOException {
        List<StoredSerializedEvent> stored = appendBatches(1, 1, 1, 1, 1);
        long last = offsets(segment(0)).get(4);
        long size = Files.size(segment(0));
        truncate(segment(0), size - 5);
        byte[] tornBytes = Arrays.copyOfRange(Files.readAllBytes(segment(0)), (int) last, (int) size - 5);

        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isEqualTo(4);
            assertThat(StorageReads.page(storage, 0, 10)).extracting(StoredSerializedEvent::eventId)
                    .containsExactlyElementsOf(stored.subList(0, 4).stream().map(StoredSerializedEvent::eventId).toList());
            assertThat(storage.positionOf(stored.get(4).eventId())).isEqualTo(-1);
            storage.append("s", ExpectedVersion.exactly(3), List.of(FileStorageGroupCommitTest.event("next")),
                    Clock.systemUTC());
            assertThat(storage.nextPosition()).isEqualTo(5);
        }
        Path kept = dir.resolve(Segment.fileName(0) + ".torn-" + last);
        assertThat(warnings()).containsExactly("Cutting the torn tail of segment " + segment(0) + " at offset " + last
                + ": " + (size - 5 - last) + " bytes after global position 3 (record of " + (size - last)
                + " bytes runs past the end of the file at offset " + last + " (global position 4)), never"
                + " acknowledged; the bytes cut are kept in " + kept);
        assertThat(Files.readAllBytes(kept)).isEqualTo(tornBytes);
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(reopened.nextPosition()).isEqualTo(5);
        }
    }

    @Test
    void after_a_crash_a_batch_cut_short_is_dropped_whole_never_in_part() throws IOException {
        appendBatches(2, 3);
        List<Long> offsets = offsets(segment(0));
        truncate(segment(0), offsets.get(4) + 20); // inside the last record of the second batch

        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isEqualTo(2);
            assertThat(storage.lastVersion("s")).isEqualTo(1);
        }
        assertThat(Files.size(segment(0))).isEqualTo(offsets.get(2));
        assertThat(warnings()).singleElement().asString()
                .startsWith("Cutting the torn tail of segment " + segment(0) + " at offset " + offsets.get(2));
    }

    @Test
    void zeroes_or_garbage_after_the_last_record_are_a_torn_tail_after_a_crash_and_after_a_clean_close()
            throws IOException {
        for (boolean clean : new boolean[] {false, true}) {
            TestFiles.deleteTree(dir);
            Files.createDirectory(dir);
            appendBatches(clean, 1, 1);
            long size = Files.size(segment(0));
            byte[] tail = new byte[4096];
            if (clean) {
                new java.util.Random(7).nextBytes(tail); // e.g. a half-written header with a garbage length
            }
            Files.write(segment(0), tail, StandardOpenOption.APPEND);
            assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.TORN_TAIL);

            try (FileStorage storage = FileStorage.open(dir)) {
                assertThat(storage.nextPosition()).as("clean: %s", clean).isEqualTo(2);
            }
            assertThat(Files.size(segment(0))).isEqualTo(size);
            assertThat(warnings()).last().asString().contains("at offset " + size + ": 4096 bytes after global position 1");
            assertThat(Files.readAllBytes(dir.resolve(Segment.fileName(0) + ".torn-" + size))).isEqualTo(tail);
        }
    }

    @Test
    void twelve_random_bytes_after_a_cleanly_closed_store_are_cut_not_a_reason_to_refuse() throws IOException {
        List<StoredSerializedEvent> stored = appendBatches(true, 3, 2);
        byte[] garbage = new byte[12];
        new java.util.Random(12).nextBytes(garbage);
        Files.write(segment(0), garbage, StandardOpenOption.APPEND);

        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isEqualTo(5);
            assertThat(StorageReads.page(storage, 0, 10)).extracting(StoredSerializedEvent::eventId)
                    .containsExactlyElementsOf(stored.stream().map(StoredSerializedEvent::eventId).toList());
        }
    }

    @Test
    void a_damaged_last_record_of_a_cleanly_closed_store_fails_the_open_and_verify_and_nothing_changes()
            throws IOException {
        appendBatches(true, 1, 1, 1);
        long last = offsets(segment(0)).get(2);
        flipBit(segment(0), Files.size(segment(0)) - 3); // in the payload of the last record
        Map<String, byte[]> before = StoreFiles.contents(dir);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("damaged acknowledged record in segment " + segment(0)
                        + ": checksum mismatch at offset " + last + " (global position 2), but every event below"
                        + " global position 3 was acknowledged: rewind.store records 3 events")
                .hasMessageEndingWith("the store was not opened and nothing was changed");
        assertThatThrownBy(() -> FileStorage.openReadOnly(dir)).isExactlyInstanceOf(CorruptStoreException.class);
        VerifyReport report = FileStorage.verify(dir);
        assertThat(report.outcome()).isEqualTo(VerifyReport.Outcome.DAMAGED);
        assertThat(report.problems()).singleElement().asString().startsWith("damaged acknowledged record in segment "
                + segment(0) + ": checksum mismatch at offset " + last + " (global position 2)");
        StoreFiles.assertUnchanged(before, dir, "the store");
    }

    @Test
    void the_index_snapshot_proves_what_it_covers_when_the_clean_close_record_is_gone() throws IOException {
        appendBatches(true, 1, 1, 1);
        Files.delete(dir.resolve(StoreState.FILE));
        long last = offsets(segment(0)).get(2);
        flipBit(segment(0), Files.size(segment(0)) - 3);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("checksum mismatch at offset " + last + " (global position 2), but every event"
                        + " below global position 3 was acknowledged: the index snapshot saved at close covers 3"
                        + " events");
    }

    @Test
    void a_log_shorter_than_what_was_acknowledged_fails_the_open() throws IOException {
        appendBatches(true, 1, 1, 1);
        long last = offsets(segment(0)).get(2);
        truncate(segment(0), last); // exactly at a record boundary: looks whole, but is not

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("the log ends at global position 2 (offset " + last + " of segment "
                        + segment(0) + "), but every event below global position 3 was acknowledged");
        assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.DAMAGED);
    }

    @Test
    void a_damaged_store_file_with_a_torn_tail_is_refused_and_alone_it_is_rewritten() throws IOException {
        appendBatches(true, 1, 1);
        Path state = dir.resolve(StoreState.FILE);
        flipBit(state, 20);
        Files.write(segment(0), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("rewind.store is unusable (checksum mismatch), so a torn tail cannot be told"
                        + " from a damaged acknowledged record");
        truncate(segment(0), Files.size(segment(0)) - 3);
        try (FileStorage storage = FileStorage.open(dir)) {
            assertThat(storage.nextPosition()).isEqualTo(2);
        }
        assertThat(warnings()).contains("rewind.store is unusable (checksum mismatch) in " + dir
                + "; the next open for writing rewrites it");
        assertThat(StoreState.read(dir).state()).isEqualTo(new StoreState(true, 2, 0, Files.size(segment(0))));
    }

    @Test
    void a_flipped_bit_in_the_middle_fails_the_open_naming_segment_offset_and_position_and_changes_nothing()
            throws IOException {
        appendBatches(1, 1, 1);
        long second = offsets(segment(0)).get(1);
        flipBit(segment(0), second + 80);
        Map<String, byte[]> before = StoreFiles.contents(dir);
        String problem = "damaged acknowledged record in segment " + segment(0) + ": checksum mismatch at offset "
                + second + " (global position 1), but every event below global position 2 was acknowledged: a sound"
                + " record after it, at global position 2, starts a write that began after an fsync returned";

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith(problem);

        StoreFiles.assertUnchanged(before, dir, "the store");
        VerifyReport report = FileStorage.verify(dir);
        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).singleElement().asString().startsWith(problem);
        StoreFiles.assertUnchanged(before, dir, "the store");
        assertThatThrownBy(() -> FileStorage.open(dir)).as("the lock was released by the failed open")
                .isExactlyInstanceOf(CorruptStoreException.class);
    }

    @Test
    void a_record_damaged_after_the_open_is_never_returned_by_a_read() throws IOException {
        try (FileStorage storage = FileStorage.open(dir)) {
            for (int i = 0; i < 3; i++) {
                storage.append("s", ExpectedVersion.any(), List.of(FileStorageGroupCommitTest.event("e" + i)),
                        Clock.systemUTC());
            }
            long second = offsets(segment(0)).get(1);
            flipBit(segment(0), second + 70);

            String message = "corrupt record in segment " + segment(0) + " at offset " + second
                    + " (global position 1): checksum mismatch";
            assertThatThrownBy(() -> StorageReads.page(storage, 0, 10)).isExactlyInstanceOf(CorruptStoreException.class)
                    .hasMessage(message);
            assertThatThrownBy(() -> StorageReads.stream(storage, "s", 1, 1)).hasMessage(message);
            assertThat(StorageReads.page(storage, 2, 10)).hasSize(1);
        }
    }

    @Test
    void a_flipped_bit_in_a_record_length_is_damage_not_a_torn_tail() throws IOException {
        appendBatches(1, 1, 1);
        long second = offsets(segment(0)).get(1);
        flipBit(segment(0), second + 1);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("damaged acknowledged record in segment " + segment(0)
                        + ": length field checksum mismatch at offset " + second + " (global position 1)");
    }

    @Test
    void damage_in_an_earlier_segment_fails_the_open_even_at_its_end() throws IOException {
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(1024).open()) {
            for (int i = 0; i < 30; i++) {
                storage.append("s", ExpectedVersion.any(), List.of(FileStorageGroupCommitTest.event("e" + i)),
                        Clock.systemUTC());
            }
            assertThat(storage.stats().segments()).isGreaterThan(2);
        }
        long size = Files.size(segment(0));
        truncate(segment(0), size - 3);

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessageStartingWith("corrupt record in segment " + segment(0) + " at offset ");
    }

    @Test
    void a_missing_segment_fails_the_open_naming_the_gap() throws IOException {
        List<Long> bases = new ArrayList<>();
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(1024).open()) {
            for (int i = 0; i < 30; i++) {
                storage.append("s", ExpectedVersion.any(), List.of(FileStorageGroupCommitTest.event("e" + i)),
                        Clock.systemUTC());
            }
        }
        bases.addAll(LogLoader.segmentFiles(dir).keySet());
        Files.delete(segment(bases.get(1)));

        assertThatThrownBy(() -> FileStorage.open(dir)).isExactlyInstanceOf(CorruptStoreException.class)
                .hasMessage(segment(bases.get(2)) + " starts at global position " + bases.get(2)
                        + ", but the segments before it end at " + bases.get(1)
                        + " (a segment is missing or misnamed); the store was not opened and nothing was changed");
    }

    @Test
    void verify_reports_a_sound_store_and_notes_a_torn_tail_without_cutting_it() throws IOException {
        appendBatches(2, 1);
        VerifyReport sound = FileStorage.verify(dir);
        assertThat(sound.ok()).isTrue();
        assertThat(sound.outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
        assertThat(sound.events()).isEqualTo(3);
        assertThat(sound.segments()).isEqualTo(1);
        assertThat(sound.notes()).isEmpty();

        long size = Files.size(segment(0));
        truncate(segment(0), size - 1);
        Map<String, byte[]> before = StoreFiles.contents(dir);
        VerifyReport torn = FileStorage.verify(dir);
        assertThat(torn.ok()).isTrue();
        assertThat(torn.outcome()).isEqualTo(VerifyReport.Outcome.TORN_TAIL);
        assertThat(torn.events()).isEqualTo(2);
        assertThat(torn.notes()).singleElement().asString().startsWith("torn tail in segment " + segment(0));
        StoreFiles.assertUnchanged(before, dir, "the store");
    }

    @Test
    void a_read_only_open_reads_around_a_torn_tail_and_changes_no_file() throws IOException {
        List<StoredSerializedEvent> stored = appendBatches(true, 2, 1);
        Files.write(segment(0), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, StandardOpenOption.APPEND);
        Map<String, byte[]> before = StoreFiles.contents(dir);

        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            assertThat(reader.nextPosition()).isEqualTo(3);
            assertThat(StorageReads.page(reader, 0, 10)).extracting(StoredSerializedEvent::eventId)
                    .containsExactlyElementsOf(stored.stream().map(StoredSerializedEvent::eventId).toList());
        }
        StoreFiles.assertUnchanged(before, dir, "the store");
        assertThat(warnings()).singleElement().asString().startsWith("Segment " + segment(0) + " has a torn tail at"
                + " offset ").endsWith("read around it, the next open for writing cuts it");
    }

    @Test
    void the_indexes_rebuilt_at_open_answer_exactly_as_before_across_segments() {
        Instant t0 = Instant.parse("2024-05-01T12:00:00Z");
        List<StoredSerializedEvent> stored = new ArrayList<>();
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(2048).open()) {
            for (int i = 0; i < 60; i++) {
                Clock clock = Clock.fixed(t0.plusSeconds(i / 3), ZoneOffset.UTC);
                stored.addAll(StorageReads.appended(storage, "stream-" + (i % 7), ExpectedVersion.any(),
                        List.of(FileStorageGroupCommitTest.event("a" + i), FileStorageGroupCommitTest.event("b" + i)),
                        clock));
            }
            assertThat(storage.stats().segments()).isGreaterThan(3);
            assertSameAnswers(storage, stored, t0);
        }
        try (FileStorage reopened = FileStorage.builder(dir).segmentSize(2048).open()) {
            assertSameAnswers(reopened, stored, t0);
        }
    }

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    /** Appends {@code batches} two-event batches over 7 streams, 3 batches per second from T0, then closes. */
    private List<StoredSerializedEvent> fill(Path into, int from, int batches, List<StoredSerializedEvent> stored) {
        try (FileStorage storage = FileStorage.builder(into).segmentSize(2048).open()) {
            for (int i = from; i < from + batches; i++) {
                Clock clock = Clock.fixed(T0.plusSeconds(i / 3), ZoneOffset.UTC);
                stored.addAll(StorageReads.appended(storage, "stream-" + (i % 7), ExpectedVersion.any(),
                        List.of(FileStorageGroupCommitTest.event("a" + i), FileStorageGroupCommitTest.event("b" + i)),
                        clock));
            }
        }
        return stored;
    }

    private void reopenAndCheck(List<StoredSerializedEvent> stored) {
        try (FileStorage reopened = FileStorage.builder(dir).segmentSize(2048).open()) {
            assertSameAnswers(reopened, stored, T0);
        }
    }

    @Test
    void a_missing_index_snapshot_is_rebuilt_with_the_same_answers() throws IOException {
        List<StoredSerializedEvent> stored = fill(dir, 0, 60, new ArrayList<>());
        Path snapshot = dir.resolve(IndexSnapshot.FILE);
        assertThat(snapshot).exists();
        reopenAndCheck(stored); // from the snapshot
        Files.delete(snapshot);

        reopenAndCheck(stored);

        assertThat(snapshot).as("saved again at close").exists();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void a_damaged_index_snapshot_is_reported_by_verify_and_ignored_with_a_warning_and_the_same_answers()
            throws IOException {
        List<StoredSerializedEvent> stored = fill(dir, 0, 60, new ArrayList<>());
        Path snapshot = dir.resolve(IndexSnapshot.FILE);
        flipBit(snapshot, Files.size(snapshot) / 2);

        VerifyReport report = FileStorage.verify(dir);
        assertThat(report.ok()).isTrue();
        assertThat(report.notes()).containsExactly("the index snapshot " + snapshot
                + " is unusable (checksum mismatch); the next open rebuilds the indexes from the log");
        reopenAndCheck(stored);

        assertThat(warnings()).containsExactly("The index snapshot " + snapshot
                + " is unusable (checksum mismatch); rebuilding the indexes from the log");
        assertThat(FileStorage.verify(dir).notes()).as("a sound snapshot was saved at close").isEmpty();
    }

    @Test
    void a_stale_index_snapshot_is_completed_from_the_log() throws IOException {
        List<StoredSerializedEvent> stored = fill(dir, 0, 30, new ArrayList<>());
        byte[] old = Files.readAllBytes(dir.resolve(IndexSnapshot.FILE));
        fill(dir, 30, 30, stored);
        Files.write(dir.resolve(IndexSnapshot.FILE), old); // as if the process had died without closing

        reopenAndCheck(stored);

        assertThat(warnings()).isEmpty();
    }

    @Test
    void an_index_snapshot_of_another_log_is_ignored_with_a_warning_and_the_same_answers() throws IOException {
        List<StoredSerializedEvent> stored = fill(dir, 0, 60, new ArrayList<>());
        Path other = Files.createDirectory(dir.resolve("other"));
        fill(other, 0, 60, new ArrayList<>());
        Path snapshot = dir.resolve(IndexSnapshot.FILE);
        Files.copy(other.resolve(IndexSnapshot.FILE), snapshot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(FileStorage.verify(dir).notes()).containsExactly("the index snapshot " + snapshot
                + " does not match the log (stale, or another store's); the next open ignores it and rebuilds the"
                + " indexes from the log");
        reopenAndCheck(stored);

        assertThat(warnings()).singleElement().asString().startsWith("The index snapshot " + snapshot
                + " does not match the log (global position 0 differs");
    }

    private static void assertSameAnswers(FileStorage storage, List<StoredSerializedEvent> stored, Instant t0) {
        IndexAnswers.assertAnswers(storage, stored);
        // the batches' instants, as appendBatches spaced them
        assertThat(storage.firstPositionAtOrAfter(t0.plusSeconds(5))).isEqualTo(30);
        assertThat(storage.firstPositionAtOrAfter(t0.plusSeconds(5).plusNanos(1))).isEqualTo(36);
        assertThat(storage.firstPositionAtOrAfter(t0.plusSeconds(100).plusNanos(1))).isEqualTo(120);
        assertThat(storage.firstPositionAtOrAfter(t0.minusSeconds(1))).isZero();
    }
}
