package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StorageReads;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * The run format whose stream entries carry each record's offset and length (RWRUN002,
 * docs/adr/0019-stream-entries-with-offsets.md): the entries agree with the offsets section and the log,
 * a damaged block of stream entries is found by the stream read that reads it, and a store whose runs
 * were written in the first format (a fixture made by an earlier build) opens, answers correctly, and
 * has its runs rebuilt from the log in the current format with an INFO naming each.
 */
class FileStorageRunFormatTest {
    private static final Path FIXTURE = fixture();

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture(FileStorage.class, Level.INFO);

    private static Path fixture() {
        try {
            return Path.of(FileStorageRunFormatTest.class.getResource("/fixtures/rwrun001-store").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private FileStorage open() {
        return FileStorage.builder(dir).segmentSize(OldRunFixture.SEGMENT_SIZE)
                .checkpointEvents(OldRunFixture.CHECKPOINT_EVENTS).open();
    }

    /** @return the events of the fixture as the store must give them back: positions, versions, instants */
    private static List<StoredSerializedEvent> fixtureEvents() {
        List<StoredSerializedEvent> out = new ArrayList<>();
        Map<String, Integer> versions = new HashMap<>();
        for (OldRunFixture.Batch b : OldRunFixture.batches()) {
            for (SerializedEvent e : b.events()) {
                int version = versions.merge(b.stream(), 1, Integer::sum) - 1;
                out.add(StoredSerializedEvent.of(e, b.stream(), version, out.size(), b.at()));
            }
        }
        return out;
    }

    private void copyFixture() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURE)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
    }

    private List<Path> runFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Run.isRunName(p.getFileName().toString())).sorted().toList();
        }
    }

    private static String magic(Path run) throws IOException {
        try (InputStream in = Files.newInputStream(run)) {
            return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
        }
    }

    private List<String> formatNotes() {
        return logs.messages(Level.INFO).stream().filter(m -> m.contains("first run format")).toList();
    }

    @Test
    void a_store_whose_runs_are_in_the_first_format_opens_answers_and_has_them_rebuilt_in_the_current_one()
            throws IOException {
        copyFixture();
        List<Path> old = runFiles();
        assertThat(old).isNotEmpty();
        for (Path r : old) {
            assertThat(magic(r)).as("the fixture's %s", r.getFileName()).isEqualTo("RWRUN001");
        }
        List<StoredSerializedEvent> expected = fixtureEvents();

        Map<String, byte[]> before = StoreFiles.contents(dir);
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            IndexAnswers.assertAnswers(reader, expected);
        }
        StoreFiles.assertUnchanged(before, dir, "a read-only open rebuilds elsewhere");
        assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
        assertThat(FileStorage.verify(dir).notes()).isEmpty();

        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, expected);
        }
        List<String> notes = formatNotes();
        for (Path r : old) {
            assertThat(notes).as("an INFO for %s at each open that met it", r.getFileName())
                    .filteredOn(m -> m.startsWith("The index file " + r + " is in the first run format (RWRUN001,"))
                    .hasSize(2);
        }
        assertThat(notes).hasSize(2 * old.size());
        assertThat(notes.get(0)).contains("rebuilding it from the log in the current format (global positions 0 to ");
        List<Path> now = runFiles();
        for (Path r : now) {
            assertThat(magic(r)).as(r.getFileName().toString()).isEqualTo("RWRUN002");
        }
        assertThat(now).doesNotContainAnyElementsOf(old);

        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, expected);
            List<SerializedEvent> more = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                UUID id = UUID.nameUUIDFromBytes(("after " + k).getBytes(StandardCharsets.UTF_8));
                more.add(new SerializedEvent(id, "Noted", 1, "{}".getBytes(StandardCharsets.UTF_8), Metadata.EMPTY));
            }
            // an old stream grows past the runs rebuilt: its versions go on from the rebuilt runs' last one
            String stream = expected.get(0).streamId();
            Instant at = expected.get(expected.size() - 1).recordedAt().plusSeconds(1);
            expected = new ArrayList<>(expected);
            expected.addAll(StorageReads.appended(storage, stream, ExpectedVersion.any(), more,
                    Clock.fixed(at, ZoneOffset.UTC)));
            IndexAnswers.assertAnswers(storage, expected);
        }
        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, expected);
        }
        assertThat(formatNotes()).as("no run of the first format is left").hasSize(2 * old.size());
        assertThat(logs.messages(Level.WARN)).isEmpty();
        assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
    }

    @Test
    void delete_store_removes_runs_of_the_first_format() throws IOException {
        copyFixture();
        FileStorage.deleteStore(dir);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    private static List<StoredSerializedEvent> fill(FileStorage storage, int batches, long seed) {
        Random random = new Random(seed);
        List<StoredSerializedEvent> stored = new ArrayList<>();
        Instant t0 = Instant.parse("2026-12-02T00:00:00Z");
        for (int i = 0; i < batches; i++) {
            List<SerializedEvent> batch = new ArrayList<>();
            int size = 1 + random.nextInt(3);
            for (int k = 0; k < size; k++) {
                // payloads of different sizes: a wrong record length would show
                byte[] payload = ("{\"i\":" + i + ",\"pad\":\"" + "x".repeat(random.nextInt(200)) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                batch.add(new SerializedEvent(new UUID(seed, (long) i * 8 + k), "Noted", 1, payload, Metadata.EMPTY));
            }
            stored.addAll(StorageReads.appended(storage, "stream-" + random.nextInt(40), ExpectedVersion.any(), batch,
                    Clock.fixed(t0.plusMillis(i), ZoneOffset.UTC)));
        }
        return stored;
    }

    @Test
    void every_stream_entry_carries_its_records_offset_and_length() {
        long seed = 19;
        List<StoredSerializedEvent> stored;
        try (FileStorage storage = open()) {
            stored = fill(storage, 700, seed);
        }
        // read-only: no merge replaces (and closes) a run while the entries are read; a clean close left every
        // event in runs
        try (FileStorage storage = FileStorage.openReadOnly(dir)) {
            List<Run> runs = storage.index().runs();
            assertThat(runs).as("seed %s", seed).isNotEmpty();
            int entries = 0;
            int lastInSegment = 0;
            for (Run run : runs) {
                assertThat(run.isCurrentFormat()).isTrue();
                for (long i = 0; i < run.streams; i++) {
                    ByteBuffer b = run.streamEntries(i, 1);
                    int position = b.getInt(12);
                    int offset = b.getInt(16);
                    int length = b.getInt(20);
                    assertThat(offset).as("the offset entry of global position %s (seed %s)", position, seed)
                            .isEqualTo(run.offsets(position, position + 1)[0]);
                    assertThat(length).as("the record length of global position %s (seed %s)", position, seed)
                            .isEqualTo(storage.access().recordLength(position, offset));
                    boolean next = position + 1 < stored.size();
                    if (!next || storage.access().segmentOf(position + 1) != storage.access().segmentOf(position)) {
                        lastInSegment++;
                    }
                    entries++;
                }
            }
            assertThat(entries).isEqualTo(stored.size());
            assertThat(lastInSegment).as("records that end a segment are among them").isGreaterThan(3);
            IndexAnswers.assertAnswers(storage, stored);
        }
    }

    @Test
    void a_damaged_block_of_stream_entries_is_found_by_the_stream_read_that_reads_it_and_rebuilt_from_the_log()
            throws IOException {
        long seed = 20;
        List<StoredSerializedEvent> stored;
        Path file = null;
        long block = -1;
        try (FileStorage storage = open()) {
            stored = fill(storage, 1200, seed);
        }
        try (FileStorage storage = FileStorage.openReadOnly(dir)) { // read-only: no merge replaces the runs meanwhile
            // a block that holds stream entries only: nothing but a stream look-up (or a merge, which a
            // read-only open does not run) reads it
            for (Run run : storage.index().runs()) {
                long streamsAt = Run.MAGIC.length + 4L * (run.to - run.from) + (long) Run.ID_ENTRY * run.ids;
                long streamsEnd = streamsAt + (long) Run.STREAM_ENTRY * run.streams;
                long first = (streamsAt + BlockFile.PAYLOAD - 1) / BlockFile.PAYLOAD;
                if ((first + 1) * BlockFile.PAYLOAD <= streamsEnd) {
                    file = run.path();
                    block = first;
                }
            }
        }
        assertThat(file).as("a run with a whole block of stream entries (seed %s)", seed).isNotNull().exists();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = block * BlockFile.BLOCK + 1000;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
        Map<String, List<UUID>> streams = new TreeMap<>();
        for (StoredSerializedEvent r : stored) {
            streams.computeIfAbsent(r.streamId(), s -> new ArrayList<>()).add(r.eventId());
        }
        try (FileStorage reader = FileStorage.openReadOnly(dir)) {
            for (Map.Entry<String, List<UUID>> s : streams.entrySet()) {
                assertThat(reader.readStream(s.getKey(), 0, Integer.MAX_VALUE, ReadDirection.FORWARD))
                        .extracting(StoredSerializedEvent::eventId).containsExactlyElementsOf(s.getValue());
            }
            assertThat(logs.messages(Level.WARN)).as("seed %s", seed).singleElement().asString()
                    .startsWith("The index file " + file + " is damaged (checksum mismatch in block " + block
                            + "); rebuilding it from the log (global positions ");
            IndexAnswers.assertAnswers(reader, stored);
        }
        try (FileStorage storage = open()) {
            IndexAnswers.assertAnswers(storage, stored);
        }
        assertThat(file).as("replaced by the open for writing").doesNotExist();
        assertThat(FileStorage.verify(dir).notes()).isEmpty();
    }
}
