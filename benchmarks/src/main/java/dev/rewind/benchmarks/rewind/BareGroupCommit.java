package dev.rewind.benchmarks.rewind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The limit of the durable-append phases on this machine: the same number of writer threads append the
 * same record bytes (cut from the segment Rewind has just written) to a file on the same disk, and a
 * group commit writes and fsyncs them, with no event work at all: no serialisation, no index, no checks.
 *
 * <p>The group commit is the best of the bare designs we tried (BENCHMARKS.md): waiters park and the
 * committer unparks exactly the ones its fsync covered plus the next committer, which first waits (at
 * most one fsync's time) until every writer has queued, so that each fsync carries a full group.
 * Whatever ratio of 16 writers to 1 it reaches is what the disk and the scheduler allow these bytes;
 * every real store pays its event work on top.
 */
final class BareGroupCommit {
    private record Item(ByteBuffer bytes, Thread thread, long seq) {
    }

    private final int writers;
    private final FileChannel channel;
    private final Object queueLock = new Object();
    private final List<Item> queue = new ArrayList<>();
    private long lastSeq;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean committing = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Item> waiting = new ConcurrentLinkedQueue<>();
    private volatile long done;
    private volatile Thread gatherer;
    private long lastSyncNanos = 200_000;
    private long fsyncs;

    private BareGroupCommit(int writers, FileChannel channel) {
        this.writers = writers;
        this.channel = channel;
    }

    /**
     * What one bare run measured.
     *
     * @param eventsPerSecond appended batches per second times {@code eventsPerBatch}
     * @param batchesPerFsync how many appends each fsync carried
     */
    record Result(double eventsPerSecond, double batchesPerFsync) {
    }

    /**
     * @param writers threads, each appending one batch at a time and waiting for its fsync
     * @param millis how long
     * @param sample record bytes to cut the batches from (cycled through)
     * @param batchBytes the size of one batch (Rewind's average batch in the same phase)
     * @param eventsPerBatch events one batch stands for
     * @param dir where to put the file (the same file system as the store)
     * @return the rate
     * @throws Exception when the file cannot be written or a writer fails
     */
    static Result run(int writers, long millis, byte[] sample, int batchBytes, int eventsPerBatch, Path dir)
            throws Exception {
        if (batchBytes <= 0 || batchBytes > sample.length) {
            throw new IllegalArgumentException("batch of " + batchBytes + " bytes from a sample of " + sample.length);
        }
        Path file = Files.createTempFile(dir, "bare-group-commit", ".log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            BareGroupCommit g = new BareGroupCommit(writers, ch);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong appends = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            int slices = sample.length / batchBytes;
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    for (int k = id; !stop.get(); k += writers) {
                        g.append(ByteBuffer.wrap(sample, (k % slices) * batchBytes, batchBytes));
                        appends.incrementAndGet();
                    }
                }, "bare-writer-" + w);
                t.setUncaughtExceptionHandler((th, e) -> {
                    synchronized (failures) {
                        failures.add(e);
                    }
                });
                threads.add(t);
            }
            long t0 = System.nanoTime();
            threads.forEach(Thread::start);
            Thread.sleep(millis);
            stop.set(true);
            for (Thread t : threads) {
                while (t.isAlive()) {
                    threads.forEach(LockSupport::unpark); // a spurious wake-up only makes a waiter look again
                    t.join(10);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!failures.isEmpty()) {
                throw new IllegalStateException("a bare writer failed", failures.get(0));
            }
            return new Result(appends.get() * eventsPerBatch / seconds, (double) appends.get() / Math.max(1, g.fsyncs));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void append(ByteBuffer bytes) {
        Item me;
        synchronized (queueLock) {
            me = new Item(bytes, Thread.currentThread(), ++lastSeq);
            queue.add(me);
        }
        Thread g = gatherer;
        if (queued.incrementAndGet() >= writers && g != null) {
            LockSupport.unpark(g);
        }
        while (done < me.seq) {
            if (committing.compareAndSet(false, true)) {
                try {
                    if (done < me.seq) {
                        commit();
                    }
                } finally {
                    committing.set(false);
                    wakeCovered();
                }
                continue;
            }
            waiting.add(me);
            if (done < me.seq && committing.get()) {
                LockSupport.park(this);
            }
            waiting.remove(me);
        }
    }

    private void commit() {
        long deadline = System.nanoTime() + lastSyncNanos;
        gatherer = Thread.currentThread();
        long left;
        while (queued.get() < writers && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
        gatherer = null;
        List<Item> batch;
        synchronized (queueLock) {
            batch = new ArrayList<>(queue);
            queue.clear();
            queued.set(0);
        }
        ByteBuffer[] buffers = new ByteBuffer[batch.size()];
        long remaining = 0;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = batch.get(i).bytes;
            remaining += buffers[i].remaining();
        }
        try {
            while (remaining > 0) {
                remaining -= channel.write(buffers);
            }
            long start = System.nanoTime();
            channel.force(false);
            lastSyncNanos = Math.min(System.nanoTime() - start, 2_000_000L);
        } catch (IOException e) {
            throw new IllegalStateException("bare group commit: write failed", e);
        }
        fsyncs++;
        done = batch.get(batch.size() - 1).seq;
    }

    /** Unparks the waiters the last commit covered, and the first one it did not (the next committer). */
    private void wakeCovered() {
        long d = done;
        boolean next = false;
        for (Iterator<Item> it = waiting.iterator(); it.hasNext(); ) {
            Item w = it.next();
            if (w.seq <= d || !next) {
                next |= w.seq > d;
                it.remove();
                LockSupport.unpark(w.thread);
            }
        }
    }
}
