package dev.rewind.storage.file;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.CorruptStoreException;
import dev.rewind.DuplicateEventIdException;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.AppendOutcome;
import dev.rewind.spi.EventRecord;
import dev.rewind.spi.EventStorage;
import dev.rewind.spi.StoredRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable {@link EventStorage}: a directory holding a segmented append-only log.
 *
 * <pre>{@code
 * try (FileStorage storage = FileStorage.open(Path.of("data"))) { ... }   // creates it in an absent or empty directory
 * FileStorage relaxed = FileStorage.builder(dir).segmentSize(16 << 20).durability(Durability.RELAXED).open();
 * FileStorage reader = FileStorage.openReadOnly(dir);          // never creates or changes a file
 * FileStorage.VerifyReport report = FileStorage.verify(dir);   // checks everything, changes nothing
 * }</pre>
 *
 * <p>Each event is one record with a length and a CRC32C checksum; segments roll at a configurable
 * size. An append is acknowledged once its records are on disk ({@link Durability#FSYNC}, the default)
 * or written to the operating system ({@link Durability#RELAXED}); concurrent appends share one
 * fsync (group commit). Only acknowledged records are readable.
 *
 * <p>The indexes (event id, stream and time to position, record offsets) are derived data, kept in
 * memory in primitive arrays and saved at close ({@code index.snapshot}); the open checks every record's
 * checksum and rebuilds from the log whatever the snapshot does not cover, and the whole of them when
 * the snapshot is missing, damaged or disagrees with the log.
 *
 * <p>Recovery (docs/adr/0009-file-store-recovery.md): a record the store can prove was acknowledged
 * (below what {@code rewind.store} recorded at the last open or clean close, covered by the index
 * snapshot, or followed by a later write) is never cut: if it is damaged or missing, the open fails
 * with a {@link CorruptStoreException} naming the segment, the offset and the global position, and
 * nothing is changed. Bytes after the last provably acknowledged record are a torn tail: an open for
 * writing cuts them with a WARN (keeping them in a {@code .torn-OFFSET} file beside the segment), a
 * read-only open reads around them.
 *
 * <p>A store is created only in an absent directory (whose parent exists) or an empty one; a
 * directory holding anything else is refused with a {@link NoStoreException}. One writer or any number
 * of read-only storages use a directory at a time (an OS file lock on {@code rewind.lock}, released on
 * close and by the OS when the process dies). Thread-safe.
 */
public final class FileStorage implements EventStorage {
    static final String LOCK_FILE = StoreDirectory.LOCK_FILE;
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    private static final long DEFAULT_SEGMENT_SIZE = 64L << 20;

    private final Path dir;
    private final Durability durability;
    private final long segmentSize;
    private final boolean readOnly;
    private final StoreDirectory.Lock lock;

    /** Guards the index, the segment list and the pending state; no I/O is done while holding it (but rare reads). */
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /**
     * Whether a thread is writing and syncing pending batches for everyone. The others park in
     * {@link #waiters}; when a commit ends, its committer unparks the waiters it covered and one that
     * it did not (the next committer), and no one else. A condition variable woke every waiter, covered
     * or not, and handed them its lock one after another: with 16 writers on two cores that came to
     * 4.5 parks per append and a chain of wake-ups as long as the fsync itself (2026-11-26).
     */
    private final AtomicBoolean committing = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** A thread parked until every position below {@code end} is acknowledged. */
    private record Waiter(Thread thread, long end) {
    }
    private final LogIndex index;
    private volatile Segment[] segments;
    private volatile long head;
    private long assignedInSegment;
    private Instant lastRecordedAt;
    private List<Batch> toWrite = new ArrayList<>();
    private final ArrayDeque<Batch> unacknowledged = new ArrayDeque<>();
    private volatile EventStoreException failure;
    private volatile boolean closed;
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();
    private final AtomicLong gatherNanos = new AtomicLong();
    /** Appenders inside {@link #append}, and batches queued but not yet taken by a commit: see awaitSiblings. */
    private final AtomicInteger inAppend = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile long lastSyncNanos;
    /** The committer waiting in {@link #awaitSiblings}, if any. */
    private volatile Thread siblingWaiter;
    private volatile long syncedHead;
    private final CopyOnWriteArrayList<LongConsumer> listeners = new CopyOnWriteArrayList<>();

    /** One appended batch on its way to the disk. */
    private static final class Batch {
        final long first;
        final List<StoredRecord> records;
        final byte[] bytes;
        final boolean newSegment;

        Batch(long first, List<StoredRecord> records, byte[] bytes, boolean newSegment) {
            this.first = first;
            this.records = records;
            this.bytes = bytes;
            this.newSegment = newSegment;
        }

        long end() {
            return first + records.size();
        }
    }

    private FileStorage(Builder b, StoreDirectory.Lock lock, LogLoader log) {
        this.dir = b.dir;
        this.durability = b.durability;
        this.segmentSize = b.segmentSize;
        this.readOnly = b.readOnly;
        this.lock = lock;
        this.index = log.index;
        this.segments = log.segments.toArray(new Segment[0]);
        this.head = index.count();
        this.syncedHead = head;
        this.assignedInSegment = segments.length == 0 ? 0 : segments[segments.length - 1].writeEnd;
        Instant t = index.lastRecordedAt();
        this.lastRecordedAt = t == null ? Instant.MIN : t;
    }

    /**
     * Opens a store for writing, or creates one in an absent (its parent must exist) or empty directory,
     * with the defaults: {@link Durability#FSYNC}, 64 MiB segments.
     *
     * @param dir the store directory
     * @return the open storage
     * @throws NoStoreException when the directory holds anything but a store, or its parent is missing
     * @throws EventStoreException when another process has the directory open, or it cannot be read
     * @throws CorruptStoreException when an acknowledged record is damaged or missing
     */
    public static FileStorage open(Path dir) {
        return builder(dir).open();
    }

    /**
     * Opens an existing store for reading only: no file is created or changed (a torn tail is read
     * around, not cut), and appends are refused. Any number of read-only storages may share a
     * directory; a writer may not use it meanwhile.
     *
     * @param dir the store directory
     * @return the open storage
     * @throws NoStoreException when the directory is absent or holds no store
     * @throws EventStoreException when a writer has the store open, or it cannot be read
     * @throws CorruptStoreException when an acknowledged record is damaged or missing
     */
    public static FileStorage openReadOnly(Path dir) {
        return builder(dir).readOnly().open();
    }

    /**
     * @param dir a directory
     * @return whether it holds a Rewind file store (reads only the names of its entries and a few bytes)
     */
    public static boolean isStore(Path dir) {
        return StoreDirectory.kind(Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize())
                == StoreDirectory.Kind.STORE;
    }

    /**
     * Deletes a store: every file and sub-directory the store writes, recognised by name and format,
     * leaving the directory itself, empty. A directory that also holds anything else is refused and
     * nothing is deleted; so is a store that is open. An absent or empty directory is left as it is.
     *
     * @param dir the store directory
     * @throws EventStoreException naming every entry it does not recognise, or when the store is open
     */
    public static void deleteStore(Path dir) {
        StoreDirectory.delete(Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize());
    }

    /**
     * @param dir the store directory
     * @return a builder to set the segment size, durability or read-only access before opening
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of a {@link FileStorage}. */
    public static final class Builder {
        private final Path dir;
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private Durability durability = Durability.FSYNC;
        private boolean readOnly;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        }

        /**
         * @param bytes the size after which a new segment is started (a batch is never split), from 1 KiB to 1 GiB
         * @return this builder
         */
        public Builder segmentSize(long bytes) {
            if (bytes < 1024 || bytes > 1L << 30) {
                throw new IllegalArgumentException("segment size must be between 1 KiB and 1 GiB, was " + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        /**
         * @param durability when an append is acknowledged (default {@link Durability#FSYNC})
         * @return this builder
         */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Opens the store for reading only (see {@link FileStorage#openReadOnly}).
         *
         * @return this builder
         */
        public Builder readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Locks the directory (creating a store in it when absent or empty, unless read-only), recovers
         * the log and rebuilds the indexes.
         *
         * @return the open storage
         * @throws NoStoreException when the directory holds anything but a store (or, read-only, no store)
         * @throws EventStoreException when another process has the directory open, or it cannot be read
         * @throws CorruptStoreException when an acknowledged record is damaged or missing
         */
        public FileStorage open() {
            return FileStorage.openWith(this);
        }
    }

    private static FileStorage openWith(Builder b) {
        StoreDirectory.Lock lock = null;
        LogLoader log = null;
        try {
            StoreDirectory.Kind kind = StoreDirectory.kind(b.dir);
            if (b.readOnly) {
                if (kind != StoreDirectory.Kind.STORE) {
                    throw StoreDirectory.noStore(b.dir);
                }
                lock = StoreDirectory.lockForReading(b.dir);
                log = new LogLoader(b.dir, LogLoader.Mode.READ_ONLY);
                log.load();
                return new FileStorage(b, lock, log);
            }
            switch (kind) {
                case ABSENT, EMPTY -> lock = StoreDirectory.create(b.dir);
                case STORE -> lock = StoreDirectory.lockForWriting(b.dir);
                default -> throw StoreDirectory.noStore(b.dir);
            }
            if (LogLoader.segmentFiles(b.dir).isEmpty()) {
                StoreState.Loaded state = StoreState.read(b.dir);
                if (state != null && state.state() != null && state.state().acknowledged() > 0) {
                    throw new CorruptStoreException("the store in " + b.dir + " has no segment files, but "
                            + StoreState.FILE + " records " + state.state().describe()
                            + "; the store was not opened and nothing was changed");
                }
                StoreDirectory.createSegment(b.dir, 0).close(); // a creation cut short before its first segment
            }
            log = new LogLoader(b.dir, LogLoader.Mode.WRITE);
            log.load();
            // What the log holds now is kept for good: durable first, then recorded as acknowledged.
            Segment last = log.segments.get(log.segments.size() - 1);
            last.channel.force(false);
            new StoreState(false, log.index.count(), last.base, last.writeEnd).write(b.dir);
            return new FileStorage(b, lock, log);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.segments.forEach(FileStorage::closeQuietly);
            }
            if (lock != null) {
                try {
                    lock.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new EventStoreException("cannot open the store directory " + b.dir + ": " + e, e);
        }
    }

    private static void closeQuietly(Segment s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing after a failure: the first error is what matters
        }
    }

    // ---------------------------------------------------------------- append

    @Override
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<EventRecord> records, Clock clock) {
        inAppend.incrementAndGet();
        try {
            return appendCounted(streamId, expected, records, clock);
        } finally {
            inAppend.decrementAndGet();
            siblingArrived();
        }
    }

    private AppendOutcome appendCounted(String streamId, ExpectedVersion expected, List<EventRecord> records,
                                        Clock clock) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(expected, "expected");
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an append needs at least one event");
        }
        if (readOnly) {
            throw new EventStoreException("the file storage at " + dir + " is open read-only: appends are refused");
        }
        Batch batch = null;
        List<StoredRecord> retry;
        ConcurrencyConflictException conflict = null;
        long settled = 0;
        lockForAppend();
        try {
            checkWritable();
            retry = exactRetry(streamId, records);
            if (retry == null) {
                LogIndex.Positions stream = index.stream(streamId);
                long last = stream == null ? -1 : stream.size - 1;
                if (expected.matches(last)) {
                    batch = prepare(streamId, last, records, clock);
                } else {
                    conflict = new ConcurrencyConflictException(streamId, expected, last);
                    settled = stream == null ? 0 : stream.values[stream.size - 1] + 1L;
                }
            }
        } finally {
            rw.writeLock().unlock();
        }
        if (conflict != null) {
            // report a conflict only once the version it names is readable, so that a caller who reads
            // the stream again and retries sees the state it lost against instead of conflicting again
            awaitAcknowledged(settled);
            throw conflict;
        }
        if (retry != null) {
            awaitAcknowledged(retry.get(0).globalPosition() + retry.size());
            return new AppendOutcome(retry, true);
        }
        siblingArrived();
        awaitAcknowledged(batch.end());
        appends.incrementAndGet();
        return new AppendOutcome(batch.records, false);
    }

    /**
     * Takes the write lock, trying (and yielding) a little before blocking: the lock is held for a
     * few microseconds, while a blocked thread is handed the lock only after a wake-up that costs
     * more than that; when a commit acknowledges many writers at once, blocking lined them up
     * behind one wake-up each.
     */
    private void lockForAppend() {
        Lock lock = rw.writeLock();
        for (int i = 0; i < 32; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.yield();
        }
        lock.lock();
    }

    private void checkWritable() {
        if (closed) {
            throw new EventStoreException("the file storage at " + dir + " is closed");
        }
        if (failure != null) {
            throw new EventStoreException("the file storage at " + dir + " refuses appends after a write failure ("
                    + failure.getMessage() + "); close and reopen it", failure);
        }
    }

    /** Exact retry -> the original records; an id stored otherwise -> duplicate; all new -> null. */
    private List<StoredRecord> exactRetry(String streamId, List<EventRecord> records) {
        int first = index.positionOf(records.get(0).eventId());
        int n = records.size();
        if (first >= 0 && (first == 0 || index.isBatchEnd(first - 1)) && (long) first + n <= index.count()
                && index.isBatchEnd(first + n - 1)) {
            List<StoredRecord> original = new ArrayList<>(records.size());
            StoredRecord firstStored = recordAt(first);
            for (int i = 0; i < n; i++) {
                StoredRecord s = i == 0 ? firstStored : recordAt(first + i);
                if (!s.streamId().equals(streamId) || (i < n - 1 && index.isBatchEnd(first + i))
                        || !records.get(i).sameContentAs(s)) {
                    break;
                }
                original.add(s);
            }
            if (original.size() == records.size()) {
                return original;
            }
        }
        Set<UUID> inBatch = new HashSet<>();
        for (EventRecord r : records) {
            int at = index.positionOf(r.eventId());
            if (at >= 0) {
                StoredRecord s = recordAt(at);
                throw new DuplicateEventIdException(r.eventId(), "already stored at global position " + at
                        + " (stream '" + s.streamId() + "' version " + s.streamVersion()
                        + "); nothing of this batch was written");
            }
            if (!inBatch.add(r.eventId())) {
                throw new DuplicateEventIdException(r.eventId(), "it appears twice in the batch;"
                        + " nothing of this batch was written");
            }
        }
        return null;
    }

    /** Assigns numbers and queues the batch after the last version of its stream (holding the write lock). */
    private Batch prepare(String streamId, long last, List<EventRecord> records, Clock clock) {
        if ((long) index.count() + records.size() > Integer.MAX_VALUE) {
            throw new EventStoreException("the file storage at " + dir + " is full (" + index.count() + " events)");
        }
        Instant now = clock.instant();
        if (now.isBefore(lastRecordedAt)) {
            now = lastRecordedAt; // a clock that steps back must not break time queries
        }
        long first = index.count();
        byte[] streamBytes = streamId.getBytes(StandardCharsets.UTF_8);
        List<RecordCodec.Encoded> encoded = new ArrayList<>(records.size());
        List<StoredRecord> stored = new ArrayList<>(records.size());
        long size = 0;
        for (int i = 0; i < records.size(); i++) {
            StoredRecord s = StoredRecord.of(records.get(i), streamId, last + 1 + i, first + i, now, false);
            RecordCodec.Encoded e = new RecordCodec.Encoded(s, streamBytes);
            size += e.size();
            encoded.add(e);
            stored.add(s);
        }
        if (size > 1 << 30) {
            throw new IllegalArgumentException("a batch of " + size + " bytes is too large for the file storage"
                    + " (at most 1 GiB)");
        }
        boolean roll = assignedInSegment > 0 && assignedInSegment + size > segmentSize;
        if (roll) {
            assignedInSegment = 0;
        }
        byte[] bytes = RecordCodec.encodeBatch(encoded);
        long offset = assignedInSegment;
        for (int i = 0; i < stored.size(); i++) {
            index.add(stored.get(i).eventId(), streamId, (int) offset, now);
            offset += encoded.get(i).size();
        }
        index.markBatchEnd(index.count() - 1);
        assignedInSegment = offset;
        lastRecordedAt = now;
        Batch batch = new Batch(first, Collections.unmodifiableList(stored), bytes, roll);
        toWrite.add(batch);
        queued.incrementAndGet();
        unacknowledged.add(batch);
        return batch;
    }

    /**
     * Returns once every position below {@code end} is acknowledged. Group commit: when nobody is
     * writing, this thread writes and syncs everything queued (its batch and every other one); otherwise
     * it waits for the writer to finish, and then either is covered or becomes the next writer.
     */
    private void awaitAcknowledged(long end) {
        boolean published = false;
        while (head < end) {
            if (failure != null) {
                throw new EventStoreException("the append was not written: " + failure.getMessage(), failure);
            }
            if (committing.compareAndSet(false, true)) {
                try {
                    if (head < end) {
                        awaitSiblings();
                        published |= commitPending();
                    }
                } finally {
                    committing.set(false);
                    wakeCovered();
                }
                continue;
            }
            Waiter me = new Waiter(Thread.currentThread(), end);
            while (true) { // queue up, then check: a commit that ends after the check will unpark this thread
                waiters.add(me);
                if (head >= end || !committing.get() || failure != null) {
                    break;
                }
                LockSupport.park(this);
            }
            waiters.remove(me); // when it left without being woken: a stale entry would wake it spuriously later
        }
        if (published) {
            long h = head;
            for (LongConsumer l : listeners) {
                l.accept(h);
            }
        }
    }

    /**
     * After a commit: unparks the waiters it acknowledged, and the first one it did not, which then
     * commits the batches queued meanwhile (its own among them). A waiter queued twice only costs a
     * spurious wake-up; after a failure everyone is woken, to see it.
     */
    private void wakeCovered() {
        if (failure != null) {
            wakeWaiters();
            return;
        }
        long h = head;
        boolean nextCommitter = false;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.end <= h || !nextCommitter) {
                nextCommitter |= w.end > h;
                it.remove();
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** Unparks every waiting thread. */
    private void wakeWaiters() {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * Before a commit, gives appenders that are already inside {@link #append} (just acknowledged by the
     * previous commit, now queueing their next batch) a moment to join it: at most one fsync's time
     * (a sibling that arrives within it is served sooner by this fsync than by the next one), and never
     * when this thread is the only appender, so a lone writer never waits. Without it, on a busy machine
     * the first woken appender commits alone while the others are still being scheduled. On this
     * machine's disk an fsync of 25 KiB took barely longer than one of 1.7 KiB (240 against 150-200 us),
     * so full groups pay: 16 writers put 15.7 appends into each fsync with this bound, 13.5 with half of it.
     */
    private void awaitSiblings() {
        if (durability != Durability.FSYNC) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + Math.min(lastSyncNanos, 2_000_000L);
        siblingWaiter = Thread.currentThread();
        try {
            long left;
            while (queued.get() < inAppend.get() && (left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left); // the last sibling to queue unparks this thread
            }
        } finally {
            siblingWaiter = null;
            gatherNanos.addAndGet(System.nanoTime() - start);
        }
    }

    /** Called when an appender has queued its batch or left: wakes a committer waiting for it to be the last. */
    private void siblingArrived() {
        Thread w = siblingWaiter;
        if (w != null && queued.get() >= inAppend.get()) {
            LockSupport.unpark(w);
        }
    }

    /** Writes every queued batch, syncs once, then makes them readable (only one thread at a time). */
    private boolean commitPending() {
        List<Batch> batches;
        rw.writeLock().lock();
        try {
            batches = toWrite;
            toWrite = new ArrayList<>();
            queued.set(0);
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
            failure = new EventStoreException("writing to segment " + active.path + " failed (" + e + ")", e);
            throw failure;
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
            lastSyncNanos = System.nanoTime() - start;
            fsyncNanos.addAndGet(lastSyncNanos);
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

    // ---------------------------------------------------------------- reads

    /** A record by position below {@link LogIndex#count()}, from memory when not yet acknowledged (write lock held). */
    private StoredRecord recordAt(int p) {
        if (p >= head) {
            for (Batch b : unacknowledged) {
                if (p < b.end()) {
                    return b.records.get((int) (p - b.first));
                }
            }
        }
        List<StoredRecord> out = new ArrayList<>(1);
        readRun(new LogReader.View(segments, index.offsets(), head), p, p + 1, out);
        return out.get(0);
    }

    private LogReader.View view() {
        rw.readLock().lock();
        try {
            return new LogReader.View(segments, index.offsets(), head);
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public List<StoredRecord> readStream(String streamId, long fromVersion, int maxCount) {
        int[] positions;
        LogReader.View v;
        rw.readLock().lock();
        try {
            checkOpen();
            LogIndex.Positions stream = index.stream(streamId);
            v = new LogReader.View(segments, index.offsets(), head);
            int size = stream == null ? 0 : stream.countBelow(v.head());
            if (fromVersion >= size || maxCount <= 0) {
                return List.of();
            }
            int from = (int) Math.max(0, fromVersion);
            int to = (int) Math.min(size, (long) from + maxCount);
            positions = Arrays.copyOfRange(stream.values, from, to);
        } finally {
            rw.readLock().unlock();
        }
        List<StoredRecord> out = new ArrayList<>(positions.length);
        int i = 0;
        while (i < positions.length) {
            int j = i + 1;
            while (j < positions.length && positions[j] == positions[j - 1] + 1) {
                j++;
            }
            readRun(v, positions[i], positions[j - 1] + 1, out);
            i = j;
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public long streamVersion(String streamId) {
        rw.readLock().lock();
        try {
            LogIndex.Positions stream = index.stream(streamId);
            return stream == null ? -1 : stream.countBelow(head) - 1;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public List<StoredRecord> readAll(long fromPosition, int maxCount) {
        checkOpen();
        LogReader.View v = view();
        long from = Math.max(0, fromPosition);
        if (from >= v.head() || maxCount <= 0) {
            return List.of();
        }
        int to = (int) Math.min(v.head(), from + maxCount);
        List<StoredRecord> out = new ArrayList<>(to - (int) from);
        readRun(v, (int) from, to, out);
        return Collections.unmodifiableList(out);
    }

    private void checkOpen() {
        if (closed) {
            throw new EventStoreException("the file storage at " + dir + " is closed");
        }
    }

    private void readRun(LogReader.View v, int from, int to, List<StoredRecord> out) {
        LogReader.read(v, from, to, out, dir);
    }

    @Override
    public long positionOf(UUID eventId) {
        rw.readLock().lock();
        try {
            int p = index.positionOf(eventId);
            return p >= 0 && p < head ? p : -1;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public long headPosition() {
        return head;
    }

    @Override
    public long positionAfter(Instant instant) {
        return timeSearch(instant, true);
    }

    @Override
    public long positionAtOrAfter(Instant instant) {
        return timeSearch(instant, false);
    }

    private long timeSearch(Instant instant, boolean strictlyAfter) {
        rw.readLock().lock();
        try {
            return Math.min(head, index.firstPositionFrom(instant, strictlyAfter));
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public void onAppended(LongConsumer onNewHead) {
        listeners.add(Objects.requireNonNull(onNewHead, "onNewHead"));
    }

    // ---------------------------------------------------------------- stats, verify, close

    /**
     * Figures about this storage.
     *
     * @param directory the store directory
     * @param durability when appends are acknowledged
     * @param events the number of readable events
     * @param streams the number of streams
     * @param segments the number of segment files
     * @param bytes the bytes of readable records
     * @param appends the batches appended since open (exact retries not counted)
     * @param fsyncs the fsyncs done since open (one may cover many appends)
     * @param fsyncNanos the time spent in those fsyncs
     * @param gatherNanos the time committers waited, before writing, for appenders already inside
     *     {@code append} to queue their batches into the same fsync
     */
    public record Stats(Path directory, Durability durability, long events, int streams, int segments, long bytes,
                        long appends, long fsyncs, long fsyncNanos, long gatherNanos) {
    }

    /** @return figures about this storage */
    public Stats stats() {
        rw.readLock().lock();
        try {
            long bytes = 0;
            for (Segment s : segments) {
                bytes += s.readableEnd;
            }
            return new Stats(dir, durability, head, index.streamCount(), segments.length, bytes, appends.get(),
                    fsyncs.get(), fsyncNanos.get(), gatherNanos.get());
        } finally {
            rw.readLock().unlock();
        }
    }

    /** @return the highest head covered by a completed fsync (for tests of group commit) */
    long syncedHead() {
        return syncedHead;
    }

    /**
     * What {@link #verify(Path)} found.
     *
     * @param directory the store directory
     * @param segments the number of segment files
     * @param events the number of events whose records passed every check
     * @param bytes the size of the segment files
     * @param outcome sound, a torn tail only, or damaged
     * @param problems damage of acknowledged records (each names the segment, offset and global position);
     *     empty unless damaged
     * @param notes findings that are not damage, such as a torn tail the next open for writing cuts
     */
    public record VerifyReport(Path directory, int segments, long events, long bytes, Outcome outcome,
                               List<String> problems, List<String> notes) {
        /** Copies the lists. */
        public VerifyReport {
            problems = List.copyOf(problems);
            notes = List.copyOf(notes);
        }

        /** @return true when no acknowledged record is damaged or missing (a torn tail is no damage) */
        public boolean ok() {
            return problems.isEmpty();
        }

        /** What a verify concluded, by the same rule as an open. */
        public enum Outcome {
            /** Every record is sound and the log ends where its last batch ends. */
            SOUND,
            /** Sound, but bytes of an unacknowledged write follow the last whole batch; the next open for writing cuts them. */
            TORN_TAIL,
            /** An acknowledged record is damaged or missing (or the log is inconsistent): the store does not open. */
            DAMAGED
        }
    }

    /**
     * Checks a store without opening it and without changing anything: every record's length and
     * checksum, the order of global positions across segments, gap-free stream versions, unique event
     * ids and non-decreasing recording times (what the indexes are built from), and the end of the log
     * by the recovery rule an open applies: a torn tail of an unacknowledged write is a note, damage of
     * an acknowledged record a problem.
     *
     * @param dir the store directory
     * @return the findings
     * @throws NoStoreException when the directory is absent or holds no store
     * @throws EventStoreException when a writer has the store open, or it cannot be read
     */
    public static VerifyReport verify(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (StoreDirectory.kind(d) != StoreDirectory.Kind.STORE) {
            throw StoreDirectory.noStore(d);
        }
        LogLoader log = new LogLoader(d, LogLoader.Mode.VERIFY);
        StoreDirectory.Lock lock = null;
        try {
            lock = StoreDirectory.lockForReading(d);
            log.load();
            VerifyReport.Outcome outcome = !log.problems.isEmpty() ? VerifyReport.Outcome.DAMAGED
                    : log.tornTail ? VerifyReport.Outcome.TORN_TAIL : VerifyReport.Outcome.SOUND;
            return new VerifyReport(d, log.segments.size(), log.index.count(), log.bytes, outcome, log.problems,
                    log.notes);
        } catch (IOException e) {
            throw new EventStoreException("cannot read the store directory " + d + ": " + e, e);
        } finally {
            log.segments.forEach(FileStorage::closeQuietly);
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** @return the store directory */
    public Path directory() {
        return dir;
    }

    /**
     * Writes what is queued, records how far the log reached (a clean close), then releases the files
     * and the directory lock. A read-only storage only releases them.
     */
    @Override
    public void close() {
        Waiter me = new Waiter(Thread.currentThread(), Long.MAX_VALUE);
        while (!committing.compareAndSet(false, true)) {
            if (closed) {
                return;
            }
            waiters.add(me);
            if (committing.get()) {
                LockSupport.parkNanos(this, 1_000_000L);
            }
            waiters.remove(me); // one entry at a time, as in awaitAcknowledged
        }
        // a closer never gives the flag back, so holding it means nobody has closed this storage yet
        rw.writeLock().lock();
        try {
            closed = true; // no batch is queued from now on
        } finally {
            rw.writeLock().unlock();
        }
        // committing stays true: nobody else writes, and waiters are covered by the commit below
        try {
            if (failure == null && !readOnly) {
                commitPending();
                recordCleanClose();
                saveIndexes();
            }
        } finally {
            try {
                for (Segment s : segments) {
                    closeQuietly(s);
                }
                lock.close();
            } finally {
                wakeWaiters();
            }
        }
    }

    /** Records in {@code rewind.store} that every record up to the head was acknowledged and the store closed. */
    private void recordCleanClose() {
        Segment last = segments[segments.length - 1];
        try {
            if (durability != Durability.FSYNC) {
                last.channel.force(false); // relaxed appends were not synced: the record below must not lie
            }
            new StoreState(true, head, last.base, last.readableEnd).write(dir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not record the clean close of {} ({}); the next open relies on the log and the index"
                    + " snapshot alone", dir, e.toString());
        }
    }

    /**
     * Leaves the store as a killed process would: releases the files and the lock without writing what
     * is queued, recording a clean close or saving the indexes. For crash tests.
     */
    void abandon() {
        closed = true;
        failure = new EventStoreException("abandoned");
        for (Segment s : segments) {
            closeQuietly(s);
        }
        lock.close();
        wakeWaiters();
    }

    /** Saves the indexes so that the next open need not decode every record; they are only derived data. */
    private void saveIndexes() {
        try {
            IndexSnapshot.write(dir, index);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not save the index snapshot of {} ({}); the next open rebuilds the indexes from the log",
                    dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "FileStorage[" + dir + ", " + (readOnly ? "read-only" : durability.toString()) + "]";
    }
}
