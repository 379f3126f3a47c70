package dev.rewind.spi.storage.contract;

import static dev.rewind.spi.storage.contract.ContractFixtures.Added;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.ExpectedVersion;
import dev.rewind.NewEvent;
import dev.rewind.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrency: 8 threads appending at once, to their own streams and to two shared ones with expected
 * versions, lose nothing, duplicate nothing, and leave every numbering gap-free.
 */
public interface ConcurrencyContract extends ContractContext {
    @Test
    default void concurrent_appenders_lose_nothing_duplicate_nothing_and_keep_every_numbering_gap_free() throws Exception {
        int threads = 8;
        int perThread = appendsPerThread();
        clock().stepEachRead(Duration.ofMillis(1));
        ConcurrentLinkedQueue<UUID> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (i % 2 == 0) {
                            appendToSharedStream(thread, i, acknowledged, wrong);
                        } else {
                            appendToOwnStream(thread, i, acknowledged, wrong);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(wrong).isEmpty();
        long total = (long) threads * perThread;
        List<StoredEvent<?>> all = store().readAll(0, Integer.MAX_VALUE);
        assertThat(store().nextPosition()).isEqualTo(total);
        assertThat(all).hasSize((int) total);
        assertThat(acknowledged).hasSize((int) total);
        List<String> broken = new ArrayList<>();
        Set<UUID> ids = new HashSet<>();
        Map<String, List<StoredEvent<?>>> byStream = new LinkedHashMap<>();
        for (int p = 0; p < all.size(); p++) {
            StoredEvent<?> e = all.get(p);
            if (e.globalPosition() != p) {
                broken.add("position " + e.globalPosition() + " at index " + p);
            }
            if (!ids.add(e.eventId())) {
                broken.add("id " + e.eventId() + " stored twice");
            }
            if (p > 0 && e.recordedAt().isBefore(all.get(p - 1).recordedAt())) {
                broken.add("recordedAt decreases at position " + p);
            }
            byStream.computeIfAbsent(e.streamId(), s -> new ArrayList<>()).add(e);
        }
        if (!ids.equals(new HashSet<>(acknowledged))) {
            broken.add("the stored ids are not the acknowledged ids");
        }
        byStream.forEach((stream, events) -> {
            long lastCents = -1;
            for (int v = 0; v < events.size(); v++) {
                StoredEvent<?> e = events.get(v);
                if (e.streamVersion() != v) {
                    broken.add(stream + ": version " + e.streamVersion() + " at index " + v);
                }
                long cents = ((Added) e.payload()).cents();
                if (stream.startsWith("own-") && cents <= lastCents) {
                    broken.add(stream + ": out of order at version " + v);
                }
                lastCents = cents;
            }
            if (store().lastVersion(stream) != events.size() - 1) {
                broken.add(stream + ": streamVersion " + store().lastVersion(stream) + " for " + events.size() + " events");
            }
        });
        assertThat(broken).isEmpty();
        assertThat(byStream).hasSize(threads + SHARED_STREAMS);
    }

    /** How many streams the threads of the concurrency test share (each also has a stream of its own). */
    int SHARED_STREAMS = 2;

    /** Appends to a shared stream expecting the version just read; on a conflict, checks it and tries again. */
    private void appendToSharedStream(int thread, int i, Collection<UUID> acknowledged, Collection<String> wrong) {
        String stream = "shared-" + ((thread + i / 2) % SHARED_STREAMS);
        NewEvent event = NewEvent.of(new Added("t" + thread, stream, i));
        while (true) {
            ExpectedVersion expected = ExpectedVersion.afterVersion(store().lastVersion(stream));
            try {
                store().append(stream, expected, List.of(event));
                acknowledged.add(event.eventId());
                return;
            } catch (ConcurrencyConflictException e) {
                if (!e.streamId().equals(stream) || !e.expected().equals(expected)
                        || e.actualLastVersion() <= expected.lastVersion()) {
                    wrong.add("conflict with wrong details: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                wrong.add("not a ConcurrencyConflictException: " + e);
                return;
            }
        }
    }

    private void appendToOwnStream(int thread, int i, Collection<UUID> acknowledged, Collection<String> wrong) {
        String stream = "own-" + thread;
        NewEvent event = NewEvent.of(new Added("t" + thread, stream, i));
        try {
            store().append(stream, ExpectedVersion.afterVersion(i / 2 - 1), List.of(event));
            acknowledged.add(event.eventId());
        } catch (RuntimeException e) {
            wrong.add("append to " + stream + " failed: " + e);
        }
    }
}
