package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL during the background index work: a child JVM appends from two threads with an index
 * checkpoint every few events (so that checkpoints and merges run all the time), stops at a named point
 * of a checkpoint or a merge (a run written but not renamed, renamed but not named by a snapshot, a
 * snapshot written but not renamed, named, a merge's inputs deleted), and is killed there. The store
 * must then open, and every acknowledged event be found by id, by stream and by time, in every seeded
 * round; then the same store goes on to the next round. {@code -Drewind.test.seed=N} replays a run.
 */
class FileStorageIndexCrashTest {
    private static final String[] POINTS = {"run written", "run renamed", "snapshot written", "checkpoint named",
        "merge named", "merge inputs deleted"};
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    /** One acknowledged event as the child reported it. */
    private record Acked(UUID id, String stream, long version, long position, Instant at) {
    }

    @Test
    void every_acknowledged_event_is_found_by_id_stream_and_time_after_a_sigkill_in_a_checkpoint_or_a_merge()
            throws Exception {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        System.out.println("FileStorageIndexCrashTest seed " + seed + " (replay with -Drewind.test.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Acked> acked = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String point = POINTS[round % POINTS.length];
            int occurrence = 1 + random.nextInt(3);
            long childSeed = random.nextLong();
            String where = "round " + round + " (killed at \"" + point + "\" #" + occurrence + ") of seed " + seed;
            boolean stopped = false;
            try (ChildProcesses.Child child = new ChildProcesses.Child(Appender.class, dir.toString(),
                    Long.toString(childSeed), point, Integer.toString(occurrence))) {
                String line;
                while ((line = child.lines.poll(60, TimeUnit.SECONDS)) != null && !line.equals("EOF")) {
                    record(line, childSeed, acked);
                    if (line.startsWith("STOPPED ")) {
                        stopped = true;
                        break;
                    }
                }
                assertThat(stopped).as("%s: the child reached the point", where).isTrue();
                child.kill();
                while (!"EOF".equals(line = child.lines.poll(30, TimeUnit.SECONDS))) {
                    assertThat(line).as("%s: a line of the child", where).isNotNull();
                    record(line, childSeed, acked);
                }
            }
            try (FileStorage storage = FileStorage.builder(dir).segmentSize(4096).checkpointEvents(Appender.EVERY)
                    .open()) {
                check(storage, acked, where);
            }
            VerifyReport report = FileStorage.verify(dir);
            assertThat(report.problems()).as(where).isEmpty();
            assertThat(report.notes()).as(where).isEmpty();
        }
        assertThat(acked.size()).as("events acknowledged (seed %d)", seed).isGreaterThan(ROUNDS * 20);
    }

    private static void record(String line, long childSeed, List<Acked> acked) {
        String[] parts = line.split(" ");
        if (parts.length != 8 || !parts[0].equals("ACK")) {
            return;
        }
        int thread = Integer.parseInt(parts[1]);
        int index = Integer.parseInt(parts[2]);
        long first = Long.parseLong(parts[3]);
        int count = Integer.parseInt(parts[4]);
        String stream = parts[5];
        long version = Long.parseLong(parts[6]);
        Instant at = Instant.parse(parts[7]);
        for (int k = 0; k < count; k++) {
            acked.add(new Acked(Appender.id(childSeed, thread, index, k), stream, version + k, first + k, at));
        }
    }

    private static void check(FileStorage storage, List<Acked> acked, String where) {
        Map<String, List<Acked>> byStream = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Acked a : acked) {
            byStream.computeIfAbsent(a.stream(), s -> new ArrayList<>()).add(a);
            if (storage.positionOf(a.id()) != a.position()) {
                broken.add("id " + a.id() + " at " + a.position() + " is found at " + storage.positionOf(a.id()));
            }
            if (storage.firstPositionAtOrAfter(a.at()) > a.position()
                    || storage.firstPositionAtOrAfter(a.at().plusNanos(1)) <= a.position()) {
                broken.add("position " + a.position() + " recorded at " + a.at() + ": time index says "
                        + storage.firstPositionAtOrAfter(a.at()) + " and " + storage.firstPositionAtOrAfter(
                        a.at().plusNanos(1)));
            }
        }
        for (Map.Entry<String, List<Acked>> e : byStream.entrySet()) {
            List<StoredSerializedEvent> read = storage.readStream(e.getKey(), 0, Integer.MAX_VALUE,
                    ReadDirection.FORWARD);
            for (Acked a : e.getValue()) {
                if (a.version() >= read.size() || !read.get((int) a.version()).eventId().equals(a.id())) {
                    broken.add("stream " + e.getKey() + " version " + a.version() + " is not " + a.id());
                }
            }
            if (storage.lastVersion(e.getKey()) != read.size() - 1) {
                broken.add("stream " + e.getKey() + ": last version " + storage.lastVersion(e.getKey()) + ", read "
                        + read.size());
            }
            List<StoredSerializedEvent> backward = storage.readStream(e.getKey(), Long.MAX_VALUE, 3,
                    ReadDirection.BACKWARD);
            if (!backward.isEmpty() && backward.get(0).streamVersion() != read.size() - 1) {
                broken.add("stream " + e.getKey() + " read backward starts at " + backward.get(0).streamVersion());
            }
        }
        assertThat(broken).as(where).isEmpty();
    }

    /**
     * Appends forever from two threads to a few streams, one "ACK thread index firstPosition count stream
     * firstVersion recordedAt" line per acknowledged batch; half the ids increase, half are name-based
     * (as a command's are). Stops at the {@code occurrence}-th time the index work reaches {@code point},
     * prints "STOPPED point" and blocks there until killed. Arguments: directory, seed, point, occurrence.
     */
    static final class Appender {
        static final int EVERY = 7;

        static UUID id(long seed, int thread, int index, int k) {
            if ((index & 1) == 0) {
                return new UUID(seed * 31 + thread, ((long) index << 20) | k);
            }
            return UUID.nameUUIDFromBytes(("rewind-command:" + seed + ":" + thread + ":" + index + ":" + k)
                    .getBytes(StandardCharsets.UTF_8));
        }

        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            long seed = Long.parseLong(args[1]);
            String point = args[2];
            int occurrence = Integer.parseInt(args[3]);
            PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
            AtomicInteger seen = new AtomicInteger();
            CountDownLatch never = new CountDownLatch(1);
            CrashPoints.hook = p -> {
                if (p.equals(point) && seen.incrementAndGet() == occurrence) {
                    synchronized (out) {
                        out.println("STOPPED " + p);
                        out.flush();
                    }
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            FileStorage storage = FileStorage.builder(dir).segmentSize(4096).checkpointEvents(EVERY).open();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                Random random = new Random(seed + t);
                new Thread(() -> {
                    for (int i = 0; ; i++) {
                        String stream = "s-" + thread + "-" + random.nextInt(6);
                        int size = 1 + random.nextInt(4);
                        List<SerializedEvent> batch = new ArrayList<>();
                        for (int k = 0; k < size; k++) {
                            batch.add(new SerializedEvent(id(seed, thread, i, k), "Noted", 1,
                                    ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8), Metadata.EMPTY));
                        }
                        AppendOutcome o = storage.append(stream, ExpectedVersion.any(), batch, Clock.systemUTC());
                        synchronized (out) {
                            out.println("ACK " + thread + " " + i + " " + o.firstPosition() + " " + size + " " + stream
                                    + " " + o.firstVersion() + " " + o.recordedAt());
                            out.flush();
                        }
                    }
                }).start();
            }
        }
    }
}
