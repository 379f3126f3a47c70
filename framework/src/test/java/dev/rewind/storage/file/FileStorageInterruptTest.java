package dev.rewind.storage.file;

import dev.rewind.spi.storage.StorageReads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK closes a FileChannel, for every thread, when a thread using it is interrupted. Interrupting the
 * application's threads while they append and read must break neither those calls nor the storage, and
 * the interrupt must stay visible to the interrupted thread.
 */
class FileStorageInterruptTest {
    @TempDir
    Path dir;

    @Test
    void threads_interrupted_while_appending_and_reading_break_neither_their_calls_nor_the_storage()
            throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger appended = new AtomicInteger();
        AtomicInteger interruptsSeen = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try (FileStorage storage = FileStorage.builder(dir).segmentSize(8 * 1024).open()) {
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String stream = "worker-" + w;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            storage.append(stream, ExpectedVersion.any(), List.of(FileStorageGroupCommitTest.event(
                                    stream + i)), Clock.systemUTC());
                            appended.incrementAndGet();
                            List<StoredSerializedEvent> all = StorageReads.page(storage, Math.max(0, storage.nextPosition() - 50), 50);
                            assertThat(StorageReads.stream(storage, stream, i, 1)).hasSize(1);
                            assertThat(all).isNotEmpty();
                            if (Thread.interrupted()) {
                                interruptsSeen.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, stream);
                workers.add(t);
                t.start();
            }
            for (int k = 0; k < 300 && errors.isEmpty(); k++) {
                workers.get(k % workers.size()).interrupt();
                Thread.sleep(2);
            }
            stop.set(true);
            for (Thread t : workers) {
                t.join(60_000);
            }
            assertThat(errors).isEmpty();
            assertThat(interruptsSeen.get()).as("interrupts kept for the interrupted thread").isPositive();
            storage.append("after", ExpectedVersion.noStream(), List.of(FileStorageGroupCommitTest.event("after")),
                    Clock.systemUTC());
            assertThat(StorageReads.page(storage, 0, Integer.MAX_VALUE)).hasSize(appended.get() + 1);
        }
        try (FileStorage reopened = FileStorage.open(dir)) {
            assertThat(reopened.nextPosition()).isEqualTo(appended.get() + 1);
        }
        assertThat(FileStorage.verify(dir).outcome()).isEqualTo(VerifyReport.Outcome.SOUND);
    }
}
