package dev.rewind.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.StoredRecord;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends with fsync on and prints what was acknowledged; it is killed with SIGKILL at a
 * random moment, and the store must then hold every acknowledged event, intact, once, gap-free.
 */
class FileStorageCrashTest {
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void every_acknowledged_event_survives_a_sigkill_at_a_random_moment_and_appending_continues() throws Exception {
        Random random = new Random();
        Map<Long, UUID> acknowledged = new HashMap<>();
        long parentAppends = 0;
        for (int round = 0; round < ROUNDS; round++) {
            try (ChildProcesses.Child child = new ChildProcesses.Child(ChildProcesses.CrashingAppender.class,
                    dir.toString(), "4")) {
                String ready = child.lines.poll(60, TimeUnit.SECONDS);
                assertThat(ready).as("round %d: the child's first line", round).startsWith("READY ");
                Thread.sleep(random.nextInt(300));
                child.kill();
                String line;
                while (!"EOF".equals(line = child.lines.poll(30, TimeUnit.SECONDS))) {
                    assertThat(line).as("round %d: a line of the child", round).isNotNull();
                    String[] parts = line.split(" ");
                    if (parts.length == 3 && parts[0].equals("ACK") && parts[2].length() == 36) {
                        UUID before = acknowledged.put(Long.parseLong(parts[1]), UUID.fromString(parts[2]));
                        assertThat(before).as("position %s acknowledged twice", parts[1]).isNull();
                    }
                }
            }
            try (FileStorage storage = FileStorage.open(dir)) {
                checkStore(storage, acknowledged, round);
                storage.append("parent", ExpectedVersion.afterVersion(parentAppends - 1),
                        List.of(new EventRecord(UUID.randomUUID(), "Checked", 1,
                                ("{\"round\":" + round + "}").getBytes(StandardCharsets.UTF_8), Metadata.EMPTY, null)),
                        Clock.systemUTC()).records().forEach(r -> acknowledged.put(r.globalPosition(), r.eventId()));
                parentAppends++;
            }
        }
        assertThat(acknowledged.size()).as("events acknowledged in %d rounds", ROUNDS).isGreaterThan(ROUNDS * 2);
    }

    private static void checkStore(FileStorage storage, Map<Long, UUID> acknowledged, int round) {
        List<StoredRecord> all = storage.readAll(0, Integer.MAX_VALUE);
        assertThat((long) all.size()).isEqualTo(storage.headPosition());
        Set<UUID> ids = new HashSet<>();
        Map<String, Long> versions = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (int p = 0; p < all.size(); p++) {
            StoredRecord r = all.get(p);
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
        assertThat(broken).as("after round %d", round).isEmpty();
        assertThat(FileStorage.verify(storage.directory()).problems()).isEmpty();
    }
}
