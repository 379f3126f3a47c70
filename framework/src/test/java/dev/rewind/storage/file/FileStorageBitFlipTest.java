package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import dev.rewind.CorruptStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every byte of the last two records of a small store, flipped with several bit patterns, in a store
 * closed cleanly and in one whose writer was killed with SIGKILL right after its last acknowledgement.
 * Never is an acknowledged event silently gone: the open either refuses (naming segment, offset and
 * global position, changing nothing) or keeps every event it can prove was acknowledged, and cuts only
 * the unprovable last write, with a WARN and its bytes kept. And bytes of any kind after the last record
 * never make a store impossible to open.
 */
class FileStorageBitFlipTest {
    private static final int[] PATTERNS = {0x01, 0x80, 0xFF, 0x5A};
    private static final int EVENTS = 6;

    private static Path work;
    private static Path closed;
    private static Path killed;
    private static List<UUID> closedIds;
    private static List<UUID> killedIds;

    @RegisterExtension
    final LogCapture logs = new LogCapture(FileStorage.class);

    @BeforeAll
    static void makeTheStores() throws Exception {
        work = Files.createTempDirectory("rewind-bitflip");
        closed = work.resolve("closed");
        closedIds = new ArrayList<>();
        try (FileStorage storage = FileStorage.open(closed)) {
            for (int i = 0; i < EVENTS; i++) {
                SerializedEvent e = new SerializedEvent(UUID.randomUUID(), "Noted", 1,
                        ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8), Metadata.correlatedBy("c" + i));
                storage.append("s-" + (i % 2), ExpectedVersion.any(), List.of(e), Clock.systemUTC());
                closedIds.add(e.eventId());
            }
        }
        killed = work.resolve("killed");
        killedIds = new ArrayList<>();
        try (ChildProcesses.Child child = new ChildProcesses.Child(ChildProcesses.AppendThenWait.class,
                killed.toString(), Integer.toString(EVENTS))) {
            String line;
            while (!"DONE".equals(line = child.lines.poll(60, TimeUnit.SECONDS))) {
                assertThat(line).as("a line of the child").isNotNull().isNotEqualTo("EOF");
                if (line.startsWith("ACK ")) {
                    killedIds.add(UUID.fromString(line.split(" ")[2]));
                }
            }
            child.kill();
        }
        assertThat(killedIds).hasSize(EVENTS);
        assertThat(killed.resolve(IndexSnapshot.FILE)).as("a killed writer saves no index snapshot").doesNotExist();
    }

    @AfterAll
    static void deleteTheStores() throws IOException {
        TestFiles.deleteTree(work);
    }

    @Test
    void every_flip_in_the_last_two_records_of_a_cleanly_closed_store_is_refused_and_changes_nothing()
            throws IOException {
        List<Long> offsets = offsets(closed);
        int cases = 0;
        for (long at = offsets.get(EVENTS - 2); at < segmentSize(closed); at++) {
            int record = at < offsets.get(EVENTS - 1) ? EVENTS - 2 : EVENTS - 1;
            for (int pattern : PATTERNS) {
                Path copy = copyOf(closed, "closed-" + at + "-" + pattern);
                flip(copy, at, pattern);
                Map<String, byte[]> before = StoreFiles.contents(copy);
                String where = "byte " + at + " ^ " + Integer.toHexString(pattern);
                try (FileStorage storage = FileStorage.open(copy)) {
                    fail("%s: the store opened with %d events", where, storage.nextPosition());
                } catch (CorruptStoreException e) {
                    assertThat(e.getMessage()).as(where).contains(segment(copy).toString())
                            .contains("at offset " + offsets.get(record) + " (global position " + record + ")")
                            .contains("was acknowledged");
                }
                assertThat(FileStorage.verify(copy).outcome()).as(where)
                        .isEqualTo(VerifyReport.Outcome.DAMAGED);
                StoreFiles.assertUnchanged(before, copy, where);
                TestFiles.deleteTree(copy);
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(100);
    }

    @Test
    void after_a_sigkill_a_flip_before_the_last_write_is_refused_and_one_in_it_cuts_only_that_write_loudly()
            throws IOException {
        List<Long> offsets = offsets(killed);
        long size = segmentSize(killed);
        int refused = 0;
        int cut = 0;
        for (long at = offsets.get(EVENTS - 2); at < size; at++) {
            int record = at < offsets.get(EVENTS - 1) ? EVENTS - 2 : EVENTS - 1;
            for (int pattern : PATTERNS) {
                Path copy = copyOf(killed, "killed-" + at + "-" + pattern);
                flip(copy, at, pattern);
                Map<String, byte[]> before = StoreFiles.contents(copy);
                String where = "byte " + at + " ^ " + Integer.toHexString(pattern);
                int warnings = logs.messages(Level.WARN).size();
                if (record == EVENTS - 2) {
                    // the last record starts a later write: the flipped one was acknowledged for certain
                    try (FileStorage storage = FileStorage.open(copy)) {
                        fail("%s: the store opened with %d events", where, storage.nextPosition());
                    } catch (CorruptStoreException e) {
                        assertThat(e.getMessage()).as(where)
                                .contains("at offset " + offsets.get(record) + " (global position " + record + ")")
                                .contains("at global position " + (EVENTS - 1) + ", starts a write");
                    }
                    StoreFiles.assertUnchanged(before, copy, where);
                    refused++;
                } else {
                    // nothing proves the last write was acknowledged: it is a torn tail, cut loudly, kept aside
                    assertThat(FileStorage.verify(copy).outcome()).as(where)
                            .isEqualTo(VerifyReport.Outcome.TORN_TAIL);
                    try (FileStorage storage = FileStorage.open(copy)) {
                        assertThat(StorageReads.page(storage, 0, 100)).extracting(StoredSerializedEvent::eventId).as(where)
                                .containsExactlyElementsOf(killedIds.subList(0, EVENTS - 1));
                    }
                    List<String> warned = logs.messages(Level.WARN).subList(warnings, logs.messages(Level.WARN).size());
                    assertThat(warned).as(where).singleElement().asString()
                            .startsWith("Cutting the torn tail of segment " + segment(copy) + " at offset "
                                    + offsets.get(record) + ": " + (size - offsets.get(record))
                                    + " bytes after global position " + (EVENTS - 2));
                    Path kept = copy.resolve(Segment.fileName(0) + ".torn-" + offsets.get(record));
                    assertThat(Files.readAllBytes(kept)).as(where).isEqualTo(Arrays.copyOfRange(
                            before.get(Segment.fileName(0)), offsets.get(record).intValue(), (int) size));
                    cut++;
                }
                TestFiles.deleteTree(copy);
            }
        }
        assertThat(refused).isGreaterThan(50);
        assertThat(cut).isGreaterThan(50);
    }

    @Test
    void no_bytes_after_the_last_record_ever_make_a_store_impossible_to_open() throws IOException {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        System.out.println("FileStorageBitFlipTest seed " + seed + " (replay with -Drewind.test.seed=" + seed + ")");
        Random random = new Random(seed);
        int cases = 0;
        for (Path template : List.of(closed, killed)) {
            List<UUID> ids = template == closed ? closedIds : killedIds;
            byte[] last = lastRecord(template);
            for (int i = 0; i < 40; i++) {
                byte[] tail = switch (i % 4) {
                    case 0 -> new byte[1 + random.nextInt(5000)]; // zeroes
                    case 1 -> randomBytes(random, 1 + random.nextInt(64));
                    case 2 -> Arrays.copyOf(last, 1 + random.nextInt(last.length - 1)); // a record cut short
                    default -> { // a sound header of a record whose body never came
                        byte[] b = Arrays.copyOf(last, RecordCodec.HEADER + 1 + random.nextInt(last.length - RecordCodec.HEADER));
                        b[RecordCodec.HEADER + random.nextInt(b.length - RecordCodec.HEADER)] ^= 0x40;
                        yield b;
                    }
                };
                String where = template.getFileName() + " + " + tail.length + " bytes, case " + i + " (seed " + seed + ")";
                Path copy = copyOf(template, "tail-" + cases);
                Files.write(segment(copy), tail, StandardOpenOption.APPEND);
                try (FileStorage reader = FileStorage.openReadOnly(copy)) {
                    assertThat(reader.nextPosition()).as(where).isEqualTo(EVENTS);
                }
                try (FileStorage storage = FileStorage.open(copy)) {
                    assertThat(StorageReads.page(storage, 0, 100)).extracting(StoredSerializedEvent::eventId).as(where)
                            .containsExactlyElementsOf(ids);
                    storage.append("after", ExpectedVersion.noStream(), List.of(new SerializedEvent(UUID.randomUUID(),
                            "Noted", 1, "{}".getBytes(StandardCharsets.UTF_8), Metadata.EMPTY)),
                            Clock.systemUTC());
                }
                try (FileStorage reopened = FileStorage.open(copy)) {
                    assertThat(reopened.nextPosition()).as(where).isEqualTo(EVENTS + 1);
                }
                TestFiles.deleteTree(copy);
                cases++;
            }
        }
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] lastRecord(Path store) throws IOException {
        byte[] all = Files.readAllBytes(segment(store));
        return Arrays.copyOfRange(all, offsets(store).get(EVENTS - 1).intValue(), all.length);
    }

    private static Path segment(Path store) {
        return store.resolve(Segment.fileName(0));
    }

    private static long segmentSize(Path store) throws IOException {
        return Files.size(segment(store));
    }

    private static List<Long> offsets(Path store) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment(store), StandardOpenOption.READ)) {
            SegmentScanner.scan(ch, 0, false, (r, offset, end) -> offsets.add(offset));
        }
        assertThat(offsets).hasSize(EVENTS);
        return offsets;
    }

    private static Path copyOf(Path store, String name) throws IOException {
        Path copy = work.resolve(name);
        Files.createDirectory(copy);
        try (Stream<Path> files = Files.list(store)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        return copy;
    }

    private static void flip(Path store, long at, int pattern) throws IOException {
        try (FileChannel ch = FileChannel.open(segment(store), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ pattern));
            b.rewind();
            ch.write(b, at);
        }
    }
}
