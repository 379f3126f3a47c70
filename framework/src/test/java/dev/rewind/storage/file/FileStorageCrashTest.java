package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.rewind.ExpectedVersion;
import dev.rewind.LogCapture;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends large batches from several threads and is killed with SIGKILL at a random moment
 * (after a random number of acknowledgements); the store must then hold every acknowledged event,
 * intact, once, gap-free, and open for appends. Large batches make some kills land inside a write, so
 * that some rounds end with a real torn tail: they are counted, and the test needs at least one.
 * The rounds alternate fsync and relaxed durability. Set {@code -Drewind.test.seed=N} to replay a run.
 */
class FileStorageCrashTest {
    private static final int MIN_ROUNDS = 20;
    private static final int MAX_ROUNDS = 40;
    private static final int WANTED_TORN_TAILS = 3;

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture(FileStorage.class);

    @Test
    void every_acknowledged_event_survives_a_sigkill_at_a_random_moment_and_appending_continues() throws Exception {
        long seed = Long.getLong("rewind.test.seed", System.nanoTime());
        System.out.println("FileStorageCrashTest seed " + seed + " (replay with -Drewind.test.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<Long, UUID> acknowledged = new HashMap<>();
        long parentAppends = 0;
        int torn = 0;
        int round = 0;
        for (; round < MAX_ROUNDS && (round < MIN_ROUNDS || torn < WANTED_TORN_TAILS); round++) {
            String where = "round " + round + " of seed " + seed;
            boolean big = round % 4 == 3;
            String durability = round % 2 == 0 ? "FSYNC" : "RELAXED";
            int acksBeforeKill = 1 + random.nextInt(round % 2 == 0 ? 40 : 400);
            long childSeed = random.nextLong();
            try (ChildProcesses.Child child = new ChildProcesses.Child(ChildProcesses.CrashingAppender.class,
                    dir.toString(), "4", durability, "100", "300", Long.toString(childSeed), big ? "BIG" : "SMALL")) {
                String ready = child.lines.poll(60, TimeUnit.SECONDS);
                assertThat(ready).as("%s: the child's first line", where).startsWith("READY ");
                int acks = 0;
                String line;
                while ((big || acks < acksBeforeKill) && (line = child.lines.poll(30, TimeUnit.SECONDS)) != null
                        && !line.equals("EOF")) {
                    acks += record(line, childSeed, acknowledged, where);
                    if (line.equals("BIG")) {
                        killWhileTheLogGrows(child, where);
                        break;
                    }
                }
                child.kill();
                while (!"EOF".equals(line = child.lines.poll(30, TimeUnit.SECONDS))) {
                    assertThat(line).as("%s: a line of the child", where).isNotNull();
                    record(line, childSeed, acknowledged, where);
                }
            }
            VerifyReport report = FileStorage.verify(dir);
            assertThat(report.problems()).as(where).isEmpty();
            if (report.outcome() == VerifyReport.Outcome.TORN_TAIL) {
                torn++;
            }
            int warningsBefore = logs.messages(Level.WARN).size();
            try (FileStorage storage = FileStorage.open(dir)) {
                checkStore(storage, acknowledged, where);
                StorageReads.appended(storage, "parent", ExpectedVersion.afterVersion(parentAppends - 1),
                        List.of(new SerializedEvent(UUID.randomUUID(), "Checked", 1,
                                ("{\"round\":" + round + "}").getBytes(StandardCharsets.UTF_8), Metadata.EMPTY)),
                        Clock.systemUTC()).forEach(r -> acknowledged.put(r.globalPosition(), r.eventId()));
                parentAppends++;
            }
            List<String> cut = logs.messages(Level.WARN).subList(warningsBefore, logs.messages(Level.WARN).size());
            assertThat(cut).as("%s: a torn tail found by verify is cut at open, and only then", where)
                    .hasSize(report.outcome() == VerifyReport.Outcome.TORN_TAIL ? 1 : 0);
            assertThat(FileStorage.verify(dir).outcome()).as(where).isEqualTo(VerifyReport.Outcome.SOUND);
        }
        System.out.println("FileStorageCrashTest: " + torn + " of " + round + " rounds ended with a torn tail (seed "
                + seed + ")");
        assertThat(acknowledged.size()).as("events acknowledged in %d rounds (seed %d)", round, seed)
                .isGreaterThan(round * 2);
        assertThat(torn).as("rounds that ended with a real torn tail, of %d (seed %d)", round, seed).isPositive();
    }

    /** Kills the child as soon as the log grows: it has begun writing its big batch. */
    private void killWhileTheLogGrows(ChildProcesses.Child child, String where) throws Exception {
        long before = logBytes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (logBytes() == before) {
            assertThat(System.nanoTime()).as("%s: the big batch's write never began", where).isLessThan(deadline);
            Thread.onSpinWait();
        }
        child.kill();
    }

    private long logBytes() throws java.io.IOException {
        long total = 0;
        for (Path p : LogLoader.segmentFiles(dir).values()) {
            total += java.nio.file.Files.size(p);
        }
        return total;
    }

    /** Records the events of an "ACK thread index firstPosition count" line; returns 1 for such a line. */
    private static int record(String line, long childSeed, Map<Long, UUID> acknowledged, String where) {
        String[] parts = line.split(" ");
        if (parts.length != 5 || !parts[0].equals("ACK")) {
            return 0;
        }
        int thread = Integer.parseInt(parts[1]);
        int index = Integer.parseInt(parts[2]);
        long first = Long.parseLong(parts[3]);
        int count = Integer.parseInt(parts[4]);
        for (int k = 0; k < count; k++) {
            UUID before = acknowledged.put(first + k, ChildProcesses.crashId(childSeed, thread, index, k));
            assertThat(before).as("%s: position %s acknowledged twice", where, first + k).isNull();
        }
        return 1;
    }

    private static void checkStore(FileStorage storage, Map<Long, UUID> acknowledged, String where) {
        List<StoredSerializedEvent> all = StorageReads.page(storage, 0, Integer.MAX_VALUE);
        assertThat((long) all.size()).isEqualTo(storage.nextPosition());
        Set<UUID> ids = new HashSet<>();
        Map<String, Long> versions = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (int p = 0; p < all.size(); p++) {
            StoredSerializedEvent r = all.get(p);
            if (r.globalPosition() != p) {
                broken.add("position " + r.globalPosition() + " at index " + p);
            }
            if (!ids.add(r.eventId())) {
                broken.add("event " + r.eventId() + " stored twice");
            }
            long expected = versions.merge(r.streamId(), 0L, (a, b) -> a + 1);
            if (r.streamVersion() != expected) {
                broken.add(r.streamId() + " has version " + r.streamVersion() + " where " + expected + " was due");
            }
        }
        acknowledged.forEach((position, id) -> {
            if (position >= all.size()) {
                broken.add("acknowledged position " + position + " is missing (head " + all.size() + ")");
            } else if (!all.get(position.intValue()).eventId().equals(id)) {
                broken.add("acknowledged position " + position + " holds " + all.get(position.intValue()).eventId()
                        + " instead of " + id);
            }
        });
        assertThat(broken).as(where).isEmpty();
    }
}
