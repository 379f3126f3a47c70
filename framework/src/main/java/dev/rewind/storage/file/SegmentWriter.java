package dev.rewind.storage.file;

import dev.rewind.EventStoreException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.kernel.GroupCommit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The write side of the log: batches queued by appenders (numbered and encoded already), written and
 * synced by whoever commits ({@link GroupCommit}), the segments rolled when full, and what is readable
 * moved forward only after the sync that covers it. Recovery takes the flag it sets on the first record
 * of every write as proof that everything before it was durable (docs/adr/0009-file-store-recovery.md).
 */
final class SegmentWriter implements GroupCommit.Committer {

    /** One appended batch on its way to the disk. */
    static final class Batch {
        final long first;
        final List<StoredSerializedEvent> records;
        final byte[] bytes;
        final boolean newSegment;

        Batch(long first, List<StoredSerializedEvent> records, byte[] bytes, boolean newSegment) {
            this.first = first;
            this.records = records;
            this.bytes = bytes;
            this.newSegment = newSegment;
        }

        long end() {
            return first + records.size();
        }
    }

    private final Path dir;
    private final Durability durability;
    private final long segmentSize;
    /** Guards the queue, the segment list and (in FileStorage) the index; no I/O is done while holding it. */
    private final ReentrantReadWriteLock rw;
    private final GroupCommit groupCommit;
    private volatile Segment[] segments;
    /** Readable: every position below it is acknowledged. */
    private volatile long head;
    private volatile long syncedHead;
    private long forcedThrough;
    /** Where the next queued batch goes in the active segment (the queue's view, ahead of what is written). */
    private long assignedInSegment;
    private List<Batch> toWrite = new ArrayList<>();
    private final ArrayDeque<Batch> unacknowledged = new ArrayDeque<>();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();

    SegmentWriter(Path dir, Durability durability, long segmentSize, ReentrantReadWriteLock rw, Segment[] segments,
                  long head) {
        this.dir = dir;
        this.durability = durability;
        this.segmentSize = segmentSize;
        this.rw = rw;
        this.segments = segments;
        this.head = head;
        this.syncedHead = head;
        this.assignedInSegment = segments.length == 0 ? 0 : segments[segments.length - 1].writeEnd;
        this.groupCommit = new GroupCommit(this, () -> this.head, durability == Durability.FSYNC);
    }

    GroupCommit groupCommit() {
        return groupCommit;
    }

    Segment[] segments() {
        return segments;
    }

    long head() {
        return head;
    }

    long syncedHead() {
        return syncedHead;
    }

    /**
     * Forces the segments holding positions below {@code end} that no earlier call forced (with relaxed
     * durability nothing else does, and an index checkpoint must not cover records a power loss can take).
     *
     * @return false when a force failed
     */
    synchronized boolean forceThrough(long end) {
        Segment[] segs = segments;
        for (int i = 0; i < segs.length; i++) {
            long segEnd = i + 1 < segs.length ? segs[i + 1].base : Long.MAX_VALUE;
            if (segs[i].base < end && segEnd > forcedThrough) {
                try {
                    segs[i].io(ch -> {
                        ch.force(false);
                        return null;
                    });
                } catch (IOException e) {
                    return false;
                }
            }
        }
        forcedThrough = Math.max(forcedThrough, end);
        return true;
    }

    long fsyncs() {
        return fsyncs.get();
    }

    long fsyncNanos() {
        return fsyncNanos.get();
    }

    /**
     * Where a batch of {@code size} bytes goes (write lock held): its offset in the active segment, or in a
     * new one when it would push the active one past the segment size (a batch is never split).
     *
     * @return true when the batch starts a new segment (its offset is then 0)
     */
    boolean startsNewSegment(long size) {
        boolean roll = assignedInSegment > 0 && assignedInSegment + size > segmentSize;
        if (roll) {
            assignedInSegment = 0;
        }
        return roll;
    }

    /** @return the offset the next batch gets in its segment (write lock held) */
    long nextOffset() {
        return assignedInSegment;
    }

    /** Queues a batch placed at {@link #nextOffset()} (write lock held). */
    void queue(Batch batch) {
        assignedInSegment += batch.bytes.length;
        toWrite.add(batch);
        unacknowledged.add(batch);
        groupCommit.queued();
    }

    /** @return the event at a queued, not yet acknowledged position, or null (write lock held) */
    StoredSerializedEvent unacknowledged(long p) {
        if (p >= head) {
            for (Batch b : unacknowledged) {
                if (p < b.end()) {
                    return b.records.get((int) (p - b.first));
                }
            }
        }
        return null;
    }

    /** Writes every queued batch, syncs once, then makes them readable (only one thread at a time). */
    @Override
    public boolean commitQueued() {
        List<Batch> batches;
        rw.writeLock().lock();
        try {
            batches = toWrite;
            toWrite = new ArrayList<>();
            groupCommit.taken();
        } finally {
            rw.writeLock().unlock();
        }
        if (batches.isEmpty()) {
            return false;
        }
        Segment[] segs = segments;
        Segment active = segs[segs.length - 1];
        List<Segment> touched = new ArrayList<>(2);
        touched.add(active);
        try {
            List<ByteBuffer> group = new ArrayList<>();
            for (Batch b : batches) {
                if (b.newSegment) {
                    write(active, group);
                    sync(active);
                    active = newSegment(b.first);
                    touched.add(active);
                }
                if (group.isEmpty() && durability == Durability.FSYNC) {
                    // every record before this write is durable: recovery takes this flag as the proof
                    RecordCodec.markWriteStart(b.bytes, 0);
                }
                group.add(ByteBuffer.wrap(b.bytes));
            }
            write(active, group);
            sync(active);
        } catch (IOException | RuntimeException e) {
            throw new EventStoreException("writing to segment " + active.path + " failed (" + e + ")", e);
        }
        long newHead = batches.get(batches.size() - 1).end();
        if (durability == Durability.FSYNC) {
            syncedHead = newHead; // set after the fsync returned, before anyone is acknowledged
        }
        rw.writeLock().lock();
        try {
            for (Segment s : touched) {
                s.readableEnd = s.writeEnd;
            }
            head = newHead;
            while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().end() <= newHead) {
                unacknowledged.pollFirst();
            }
        } finally {
            rw.writeLock().unlock();
        }
        return true;
    }

    private void write(Segment s, List<ByteBuffer> group) throws IOException {
        if (group.isEmpty()) {
            return;
        }
        ByteBuffer[] buffers = group.toArray(new ByteBuffer[0]);
        long pos = s.writeEnd;
        s.writeEnd = s.io(ch -> { // repeatable: everything is written again from pos
            long remaining = 0;
            for (ByteBuffer b : buffers) {
                b.rewind();
                remaining += b.remaining();
            }
            ch.position(pos);
            while (remaining > 0) {
                remaining -= ch.write(buffers);
            }
            return ch.position();
        });
        group.clear();
    }

    private void sync(Segment s) throws IOException {
        if (durability == Durability.FSYNC) {
            long start = System.nanoTime();
            s.io(ch -> {
                ch.force(false);
                return null;
            });
            long took = System.nanoTime() - start;
            groupCommit.synced(took);
            fsyncNanos.addAndGet(took);
            fsyncs.incrementAndGet();
        }
    }

    private Segment newSegment(long base) throws IOException {
        FileChannel ch = StoreDirectory.createSegment(dir, base);
        Segment s = new Segment(dir.resolve(Segment.fileName(base)), base, ch, true, 0);
        rw.writeLock().lock();
        try {
            Segment[] old = segments;
            Segment[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = s;
            segments = next;
        } finally {
            rw.writeLock().unlock();
        }
        return s;
    }
}
