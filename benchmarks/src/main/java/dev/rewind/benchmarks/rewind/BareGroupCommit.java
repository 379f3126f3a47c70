package dev.rewind.benchmarks.rewind;

import dev.rewind.storage.kernel.GroupCommit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The limit of the durable-append phases on this machine: the same number of writer threads append the
 * same record bytes (cut from the segment Rewind has just written) to a file on the same disk, and the
 * file store's own group commit ({@link GroupCommit}, reused, not copied) writes and fsyncs them, with no
 * event work at all: no serialisation, no index, no checks. Whatever ratio of 16 writers to 1 it reaches
 * is what the disk and the scheduler allow these bytes; every real store pays its event work on top.
 */
final class BareGroupCommit implements GroupCommit.Committer {
    private final FileChannel channel;
    private final Object queueLock = new Object();
    private List<ByteBuffer> queue = new ArrayList<>();
    private long queuedEnd;
    private volatile long done;
    private long fsyncs;
    private final GroupCommit groupCommit = new GroupCommit(this, () -> done, true);

    private BareGroupCommit(FileChannel channel) {
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
            BareGroupCommit g = new BareGroupCommit(ch);
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
        groupCommit.enter();
        try {
            long end;
            synchronized (queueLock) {
                queue.add(bytes);
                end = ++queuedEnd;
                groupCommit.queued();
            }
            groupCommit.awaitAcknowledged(end);
        } finally {
            groupCommit.leave();
        }
    }

    @Override
    public boolean commitQueued() {
        List<ByteBuffer> batch;
        long end;
        synchronized (queueLock) {
            batch = queue;
            queue = new ArrayList<>();
            end = queuedEnd;
            groupCommit.taken();
        }
        if (batch.isEmpty()) {
            return false;
        }
        ByteBuffer[] buffers = batch.toArray(new ByteBuffer[0]);
        long remaining = 0;
        for (ByteBuffer b : buffers) {
            remaining += b.remaining();
        }
        try {
            while (remaining > 0) {
                remaining -= channel.write(buffers);
            }
            long start = System.nanoTime();
            channel.force(false);
            groupCommit.synced(System.nanoTime() - start);
        } catch (IOException e) {
            throw new IllegalStateException("bare group commit: write failed", e);
        }
        fsyncs++;
        done = end;
        return true;
    }
}
