package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.Metadata;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.SerializedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: concurrent appenders share fsyncs, and nobody is acknowledged before the fsync covering them. */
class FileStorageGroupCommitTest {
    private static final int WRITERS = 16;
    private static final int APPENDS_PER_WRITER = 40;

    @TempDir
    Path dir;

    static SerializedEvent event(String text) {
        return new SerializedEvent(UUID.randomUUID(), "Noted", 1, ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8),
                Metadata.EMPTY);
    }

    @Test
    void sixteen_concurrent_writers_share_fsyncs_and_each_is_acknowledged_only_after_the_fsync_covering_it()
            throws Exception {
        ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        long fsyncsBefore;
        try (FileStorage storage = FileStorage.open(dir)) {
            fsyncsBefore = storage.stats().fsyncs();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    String stream = "writer-" + w;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < APPENDS_PER_WRITER; i++) {
                            AppendOutcome out = storage.append(stream, ExpectedVersion.any(),
                                    List.of(event(stream + "/" + i)), Clock.systemUTC());
                            long end = out.firstPosition() + 1;
                            long synced = storage.syncedHead();
                            if (synced < end) {
                                early.add("position " + (end - 1) + " acknowledged with fsyncs covering only " + synced);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            FileStorageStats stats = storage.stats();
            long appends = (long) WRITERS * APPENDS_PER_WRITER;
            long fsyncs = stats.fsyncs() - fsyncsBefore;
            assertThat(early).isEmpty();
            assertThat(stats.events()).isEqualTo(appends);
            assertThat(stats.appends()).isEqualTo(appends);
            assertThat(fsyncs).as("fsyncs for %d appends", appends).isPositive().isLessThan(appends / 2);
            assertThat(stats.fsyncNanos()).as("time in fsync").isPositive();
            assertThat(stats.gatherNanos()).as("time waiting for siblings").isNotNegative();
            System.out.println("group commit: " + appends + " appends, " + fsyncs + " fsyncs");
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(reopened.nextPosition()).isEqualTo((long) WRITERS * APPENDS_PER_WRITER);
            for (int w = 0; w < WRITERS; w++) {
                assertThat(reopened.lastVersion("writer-" + w)).isEqualTo(APPENDS_PER_WRITER - 1);
            }
        }
    }

    @Test
    void in_relaxed_mode_nothing_is_fsynced_and_everything_is_still_readable_after_a_reopen() {
        try (FileStorage storage = FileStorage.builder(dir).durability(Durability.RELAXED).open()) {
            for (int i = 0; i < 50; i++) {
                storage.append("s", ExpectedVersion.any(), List.of(event("e" + i)), Clock.systemUTC());
            }
            assertThat(storage.stats().fsyncs()).isZero();
            assertThat(storage.stats().fsyncNanos()).isZero();
            assertThat(storage.stats().gatherNanos()).isZero();
            assertThat(storage.nextPosition()).isEqualTo(50);
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(StorageReads.stream(reopened, "s", 0, 100)).hasSize(50);
        }
    }
}
