package dev.rewind.storage.file;

import dev.rewind.ConcurrencyConflictException;
import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.ExpectedVersion;
import dev.rewind.spi.storage.MeteredStorage;
import dev.rewind.spi.storage.StorageMeter;
import dev.rewind.spi.storage.AppendOutcome;
import dev.rewind.spi.storage.EventStorage;
import dev.rewind.spi.storage.ReadDirection;
import dev.rewind.spi.storage.SerializedEvent;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.spi.storage.AppendNotifications;
import dev.rewind.spi.storage.ProjectionStoreHost;
import dev.rewind.storage.kernel.AppendRules;
import dev.rewind.storage.kernel.GroupCommit;
import dev.rewind.storage.kernel.RecordedAtClamp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
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
 * VerifyReport report = FileStorage.verify(dir);   // checks everything, changes nothing
 * }</pre>
 *
 * <p>Each event is one record with a length and a CRC32C checksum; segments roll at a configurable
 * size. An append is acknowledged once its records are on disk ({@link Durability#FSYNC}, the default)
 * or written to the operating system ({@link Durability#RELAXED}); concurrent appends share one
 * fsync (group commit). Only acknowledged records are readable.
 *
 * <p>The indexes (event id, stream and time to position, record offsets) are derived data: the events
 * since the last index checkpoint are indexed in the heap, everything before it in run files on disk
 * with a filter per run in the heap (about 2 bytes per event whatever the store's size). Checkpoints
 * and merges of runs happen in the background, and are named by {@code index.snapshot} once durable, so
 * that an open after a clean close reads the snapshot, the segments' first headers and the last few
 * thousand records, and an open after a crash reads in addition what was appended after the last
 * checkpoint (docs/adr/0011-file-store-indexes.md). A damaged index file is never believed: it is
 * rebuilt from the part of the log it covers, with a WARN; a missing or unusable snapshot makes the open
 * rebuild every index from the log. Older records' checksums are checked whenever they are read, by
 * {@link #verify}, and by the optional background scrub ({@link Builder#scrubEvery}).
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
public final class FileStorage implements EventStorage, AppendNotifications, ProjectionStoreHost, MeteredStorage {
    static final String LOCK_FILE = StoreDirectory.LOCK_FILE;
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    private static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    private static final int PAGE = 4096;

    private final Path dir;
    private final Durability durability;
    private final boolean readOnly;
    private final StoreDirectory.Lock lock;
    /**
     * Guards the indexes, the segment list and the queue; the indexes' background threads take it only to
     * swap their files. Look-ups read index files under it (blocks of a few KiB, usually cached).
     */
    private final ReentrantReadWriteLock rw;
    private final IndexStore index;
    private final LogAccess access;
    private final Scrub scrub;
    private final long openNanos;
    private final long openScannedEvents;
    private final long openScannedBytes;
    private final long openScanNanos;
    private final int openCovered;
    private final SegmentWriter writer;
    private final GroupCommit groupCommit;
    private final RecordedAtClamp clamp;
    private volatile boolean closed;
    private final AtomicLong appends = new AtomicLong();
    private final CopyOnWriteArrayList<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private final FileProjectionStore projectionStore;
    /** What the append checks read: positions queued but not yet acknowledged come from memory. */
    private final AppendRules.Lookups lookups = new AppendRules.Lookups() {
        @Override
        public long positionOf(UUID eventId) {
            return index.positionOf(eventId);
        }

        @Override
        public StoredSerializedEvent eventAt(long position) {
            return recordAt((int) position);
        }

        @Override
        public boolean batchStartsAt(long position) {
            return position == 0 || (position <= index.count() && index.isBatchEnd((int) position - 1));
        }
    };

    private FileStorage(Builder b, StoreOpener.Opened opened, long openNanos) {
        LogLoader log = opened.log();
        this.rw = log.lock(); // the indexes' background threads take it to swap their files
        this.dir = b.dir;
        this.durability = b.durability;
        this.readOnly = b.readOnly;
        this.lock = opened.lock();
        this.index = log.index;
        this.access = log.access;
        this.writer = new SegmentWriter(dir, durability, b.segmentSize, rw, log.segments.toArray(new Segment[0]),
                index.count());
        this.groupCommit = writer.groupCommit();
        this.clamp = new RecordedAtClamp(index.lastRecordedAt());
        this.projectionStore = new FileProjectionStore(dir, readOnly);
        this.openNanos = openNanos;
        this.openScannedEvents = log.scannedEvents;
        this.openScannedBytes = log.scannedBytes;
        this.openScanNanos = log.scanNanos;
        this.openCovered = log.snapshotCovered;
        access.segments(writer::segments);
        access.durable(this::awaitDurable);
        index.start(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString());
        this.scrub = b.scrubEvery == null ? null : new Scrub(this, b.scrubEvery);
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
        private int checkpointEvents = IndexStore.DEFAULT_CHECKPOINT_EVENTS;
        private java.time.Duration scrubEvery;

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
         * Switches on the background scrub: a thread that reads every acknowledged record and every index
         * file, checking each checksum, then waits {@code pause} and starts again. It reports what it finds
         * (at ERROR, and in {@link FileStorage#lastScrub()}) and never repairs anything.
         *
         * @param pause the wait between two passes (at least one second)
         * @return this builder
         */
        public Builder scrubEvery(java.time.Duration pause) {
            if (pause.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("the scrub's pause must be at least one second, was " + pause);
            }
            this.scrubEvery = pause;
            return this;
        }

        /** The number of events between two index checkpoints (tests make it small). */
        Builder checkpointEvents(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("checkpoint interval must be positive, was " + events);
            }
            this.checkpointEvents = events;
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
        long t0 = System.nanoTime();
        StoreOpener.Opened opened = StoreOpener.open(b.dir, b.readOnly, b.checkpointEvents);
        return new FileStorage(b, opened, System.nanoTime() - t0);
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
    public AppendOutcome append(String streamId, ExpectedVersion expected, List<SerializedEvent> events, Clock clock) {
        index.awaitRoom();
        groupCommit.enter();
        try {
            return repairing(() -> appendCounted(streamId, expected, events, clock));
        } finally {
            groupCommit.leave();
        }
    }

    /**
     * Runs an operation that reads the indexes; when an index file turns out damaged, rebuilds it from the
     * log (outside the lock, with a WARN) and runs the operation again.
     */
    private <T> T repairing(java.util.function.Supplier<T> operation) {
        for (int attempt = 0; ; attempt++) {
            try {
                return operation.get();
            } catch (BlockFile.Damaged e) {
                if (attempt >= 3) {
                    throw new EventStoreException("the indexes of " + dir + " stay damaged after a rebuild: "
                            + e.getMessage(), e);
                }
                index.repair(e);
            }
        }
    }

    private AppendOutcome appendCounted(String streamId, ExpectedVersion expected, List<SerializedEvent> events,
                                        Clock clock) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(expected, "expected");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an append needs at least one event");
        }
        if (readOnly) {
            throw new EventStoreException("the file storage at " + dir + " is open read-only: appends are refused");
        }
        SegmentWriter.Batch batch = null;
        AppendOutcome retry;
        ConcurrencyConflictException conflict = null;
        long settled = 0;
        Instant at = null;
        long firstVersion = 0;
        lockForAppend();
        try {
            checkWritable();
            retry = AppendRules.checkIds(streamId, events, lookups);
            if (retry == null) {
                long lastEvent = index.last(streamId, Long.MAX_VALUE); // queued events count: appends are ordered
                long last = lastEvent < 0 ? -1 : lastEvent >>> 32;
                conflict = AppendRules.conflict(streamId, expected, last);
                if (conflict == null) {
                    at = clamp.next(clock);
                    firstVersion = last + 1;
                    batch = prepare(streamId, last, events, at);
                } else {
                    settled = lastEvent < 0 ? 0 : (lastEvent & 0xFFFFFFFFL) + 1;
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
            awaitAcknowledged(retry.firstPosition() + events.size());
            return retry;
        }
        awaitAcknowledged(batch.end());
        appends.incrementAndGet();
        return new AppendOutcome(firstVersion, batch.first, at, false);
    }

    /**
     * Takes the write lock, trying (and yielding) a little before blocking: the lock is held for a
     * few microseconds, while a blocked thread is handed the lock only after a wake-up that costs
     * more than that; when a commit acknowledges many writers at once, blocking lined them up
     * behind one wake-up each.
     */
    private void lockForAppend() {
        Lock l = rw.writeLock();
        for (int i = 0; i < 32; i++) {
            if (l.tryLock()) {
                return;
            }
            Thread.yield();
        }
        l.lock();
    }

    private void checkWritable() {
        if (closed) {
            throw new EventStoreException("the file storage at " + dir + " is closed");
        }
        RuntimeException failure = groupCommit.failure();
        if (failure != null) {
            throw new EventStoreException("the file storage at " + dir + " refuses appends after a write failure ("
                    + failure.getMessage() + "); close and reopen it", failure);
        }
    }

    /** Numbers, encodes, indexes and queues the batch after the last version of its stream (write lock held). */
    private SegmentWriter.Batch prepare(String streamId, long last, List<SerializedEvent> events, Instant now) {
        if ((long) index.count() + events.size() > Integer.MAX_VALUE) {
            throw new EventStoreException("the file storage at " + dir + " is full (" + index.count() + " events)");
        }
        long first = index.count();
        byte[] streamBytes = streamId.getBytes(StandardCharsets.UTF_8);
        List<RecordCodec.Encoded> encoded = new ArrayList<>(events.size());
        List<StoredSerializedEvent> stored = new ArrayList<>(events.size());
        long size = 0;
        for (int i = 0; i < events.size(); i++) {
            StoredSerializedEvent s = StoredSerializedEvent.of(events.get(i), streamId, last + 1 + i, first + i, now);
            RecordCodec.Encoded e = new RecordCodec.Encoded(s, streamBytes);
            size += e.size();
            encoded.add(e);
            stored.add(s);
        }
        if (size > 1 << 30) {
            throw new IllegalArgumentException("a batch of " + size + " bytes is too large for the file storage"
                    + " (at most 1 GiB)");
        }
        boolean roll = writer.startsNewSegment(size);
        byte[] bytes = RecordCodec.encodeBatch(encoded);
        long offset = writer.nextOffset();
        for (int i = 0; i < stored.size(); i++) {
            index.add(stored.get(i).eventId(), streamId, (int) (last + 1 + i), (int) offset, now);
            offset += encoded.get(i).size();
        }
        index.markBatchEnd(index.count() - 1, offset);
        SegmentWriter.Batch batch = new SegmentWriter.Batch(first, Collections.unmodifiableList(stored), bytes, roll);
        writer.queue(batch);
        return batch;
    }

    /** Returns once every position below {@code end} is acknowledged (group commit), then tells listeners. */
    private void awaitAcknowledged(long end) {
        boolean published;
        try {
            published = groupCommit.awaitAcknowledged(end);
        } catch (RuntimeException e) {
            if (e == groupCommit.failure()) {
                throw new EventStoreException("the append was not written: " + e.getMessage(), e);
            }
            throw e;
        }
        if (published) {
            long h = writer.head();
            for (LongConsumer l : listeners) {
                l.accept(h);
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** An event by position below {@link IndexStore#count()}, from memory when not yet acknowledged (write lock held). */
    private StoredSerializedEvent recordAt(int p) {
        StoredSerializedEvent queued = writer.unacknowledged(p);
        if (queued != null) {
            return queued;
        }
        List<StoredSerializedEvent> out = new ArrayList<>(1);
        LogReader.read(view(p, p + 1), p, p + 1, out, dir);
        return out.get(0);
    }

    /**
     * What reading [from, to) needs (lock held): the offsets of those positions and of the one after, which
     * ends the last of them when it lies in the same segment (it may be queued, not yet acknowledged: its
     * offset is assigned all the same).
     */
    private LogReader.View view(int from, int to) {
        long head = writer.head();
        return new LogReader.View(writer.segments(), index.offsets(from, Math.min(to + 1, index.count())), from, head);
    }

    /**
     * What reading the consecutive positions of hits [i, j) needs (lock held), from the offsets the hits
     * carry: a run's stream entries give each record's offset and end, so no run's offsets are read; a
     * record of a table ends where its next position begins, which is in a table too.
     */
    private LogReader.View streamView(IndexStore.StreamHits hits, int i, int j, long head) {
        int from = hits.positions[i];
        int to = hits.positions[j - 1] + 1;
        int end = hits.ends[j - 1];
        boolean next = end < 0 && to < index.count();
        int[] offsets = new int[j - i + (end >= 0 || next ? 1 : 0)];
        System.arraycopy(hits.offsets, i, offsets, 0, j - i);
        if (end >= 0) {
            offsets[j - i] = end;
        } else if (next) {
            offsets[j - i] = index.offsetEntry(to);
        }
        return new LogReader.View(writer.segments(), offsets, from, head);
    }

    @Override
    public List<StoredSerializedEvent> readStream(String streamId, long fromVersion, int maxCount,
                                                  ReadDirection direction) {
        return repairing(() -> readStreamOnce(streamId, fromVersion, maxCount, direction));
    }

    private List<StoredSerializedEvent> readStreamOnce(String streamId, long fromVersion, int maxCount,
                                                       ReadDirection direction) {
        List<LogReader.View> views = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        rw.readLock().lock();
        try {
            checkOpen();
            long head = writer.head();
            if (maxCount <= 0 || fromVersion < 0) {
                return List.of();
            }
            long bottom;
            long top;
            if (direction == ReadDirection.BACKWARD) {
                long last = index.lastVersion(streamId, head);
                if (last < 0) {
                    return List.of();
                }
                top = Math.min(last, fromVersion);
                bottom = Math.max(0, top - maxCount + 1);
            } else {
                // Forward needs no last version: the versions [from, from + maxCount) hold at most maxCount of the
                // stream's events, and asking for the last one read the index and a record once more.
                bottom = fromVersion;
                top = fromVersion + Math.min(maxCount - 1L, Long.MAX_VALUE - fromVersion);
            }
            IndexStore.StreamHits hits = index.stream(streamId, bottom, top, head);
            int[] positions = hits.positions;
            int i = 0;
            while (i < hits.size) {
                int j = i + 1;
                while (j < hits.size && positions[j] == positions[j - 1] + 1) {
                    j++;
                }
                ranges.add(new int[] {positions[i], positions[j - 1] + 1});
                views.add(streamView(hits, i, j, head));
                i = j;
            }
        } finally {
            rw.readLock().unlock();
        }
        List<StoredSerializedEvent> out = new ArrayList<>();
        for (int k = 0; k < ranges.size(); k++) {
            LogReader.read(views.get(k), ranges.get(k)[0], ranges.get(k)[1], out, dir);
        }
        // two stream names may hash alike: the index gave the positions of both, the records tell them apart
        out.removeIf(e -> !e.streamId().equals(streamId));
        if (direction == ReadDirection.BACKWARD) {
            Collections.reverse(out);
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public long lastVersion(String streamId) {
        return repairing(() -> {
            rw.readLock().lock();
            try {
                return index.lastVersion(streamId, writer.head());
            } finally {
                rw.readLock().unlock();
            }
        });
    }

    @Override
    public long read(long fromPosition, long toPosition, Consumer<StoredSerializedEvent> visitor) {
        checkOpen();
        long pos = Math.max(0, fromPosition);
        long count = 0;
        List<StoredSerializedEvent> page = new ArrayList<>(PAGE);
        while (pos < toPosition) {
            long from = pos;
            LogReader.View v = repairing(() -> {
                rw.readLock().lock();
                try {
                    checkOpen();
                    long to = Math.min(Math.min(writer.head(), toPosition), from + PAGE);
                    return from >= to ? null : view((int) from, (int) to);
                } finally {
                    rw.readLock().unlock();
                }
            });
            if (v == null) {
                break;
            }
            long to = Math.min(Math.min(v.head(), toPosition), pos + PAGE);
            page.clear();
            LogReader.read(v, (int) pos, (int) to, page, dir);
            for (StoredSerializedEvent e : page) {
                visitor.accept(e);
            }
            count += page.size();
            pos = to;
        }
        return count;
    }

    private void checkOpen() {
        if (closed) {
            throw new EventStoreException("the file storage at " + dir + " is closed");
        }
    }

    @Override
    public long positionOf(UUID eventId) {
        return repairing(() -> {
            rw.readLock().lock();
            try {
                int p = index.positionOf(eventId);
                return p >= 0 && p < writer.head() ? (long) p : -1L;
            } finally {
                rw.readLock().unlock();
            }
        });
    }

    @Override
    public long nextPosition() {
        return writer.head();
    }

    @Override
    public long firstPositionAtOrAfter(Instant instant) {
        return repairing(() -> {
            rw.readLock().lock();
            try {
                return Math.min(writer.head(), (long) index.firstPositionAtOrAfter(instant));
            } finally {
                rw.readLock().unlock();
            }
        });
    }

    @Override
    public void onAppended(LongConsumer onNextPosition) {
        listeners.add(Objects.requireNonNull(onNextPosition, "onNextPosition"));
    }

    // ---------------------------------------------------------------- stats, verify, close


    /** @return figures about this storage */
    public FileStorageStats stats() {
        rw.readLock().lock();
        try {
            long bytes = 0;
            Segment[] segments = writer.segments();
            for (Segment s : segments) {
                bytes += s.readableEnd;
            }
            long indexBytes = 0;
            List<Run> runs = index.runs();
            for (Run r : runs) {
                indexBytes += BlockFile.physicalSize(r.length());
            }
            return new FileStorageStats(dir, durability, writer.head(), index.streamCount(), segments.length, bytes,
                    appends.get(), writer.fsyncs(), writer.fsyncNanos(), groupCommit.gatherNanos(),
                    new FileStorageStats.Indexes(index.covered(), runs.size(), indexBytes, index.heapBytes(),
                            index.loaded()),
                    new FileStorageStats.Open(openNanos, openScanNanos, openCovered, openScannedEvents,
                            openScannedBytes));
        } finally {
            rw.readLock().unlock();
        }
    }

    /**
     * The figures a metrics binding reads: fsyncs (a timer) and appends per fsync (group commit), read
     * from the running totals the writer keeps anyway, without the store's lock.
     *
     * @return {@code rewind.file.fsync}, {@code rewind.file.group.size} and {@code rewind.file.appends}
     */
    @Override
    public List<StorageMeter> meters() {
        return List.of(
                StorageMeter.timer("rewind.file.fsync", "fsyncs of the event log (one covers every append of its group)",
                        writer::fsyncs, writer::fsyncNanos),
                StorageMeter.gauge("rewind.file.group.size", "appends",
                        "appends acknowledged per fsync (group commit), the mean since the store was opened",
                        () -> appends.get() / (double) Math.max(1, writer.fsyncs())),
                StorageMeter.counter("rewind.file.appends", "appends",
                        "batches appended to the event log since it was opened", appends::get));
    }

    /**
     * @return what the last pass of the background scrub found, or null when the scrub is off or has not
     *     finished a pass yet
     */
    public VerifyReport lastScrub() {
        return scrub == null ? null : scrub.last();
    }

    /** Waits (polling) until the background loader has every index filter in the heap; for measurements. */
    void awaitIndexesLoaded(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!index.loaded() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Waits until every position below {@code end} is durable (for an index checkpoint that will cover it). */
    private boolean awaitDurable(int end) {
        while (!closed || writer.head() >= end) {
            if (groupCommit.failure() != null) {
                return false;
            }
            if (durability == Durability.FSYNC ? writer.syncedHead() >= end : writer.head() >= end) {
                return durability == Durability.FSYNC || writer.forceThrough(end);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000L);
        }
        return false;
    }

    IndexStore index() {
        return index;
    }

    LogAccess access() {
        return access;
    }

    /** @return the highest head covered by a completed fsync (for tests of group commit) */
    long syncedHead() {
        return writer.syncedHead();
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
        return LogVerifier.verify(dir.toAbsolutePath().normalize());
    }

    /** @return the store directory */
    public Path directory() {
        return dir;
    }

    /**
     * @return the projection runtime's checkpoints and snapshots, in {@code projections/} under the store's
     *     directory (created at the first save); read-only when this storage is
     */
    @Override
    public FileProjectionStore projectionStore() {
        return projectionStore;
    }

    /**
     * Writes what is queued, records how far the log reached (a clean close), then releases the files
     * and the directory lock. A read-only storage only releases them.
     */
    @Override
    public void close() {
        if (!groupCommit.close()) {
            return;
        }
        rw.writeLock().lock();
        try {
            closed = true; // no batch is queued from now on
        } finally {
            rw.writeLock().unlock();
        }
        // nobody else commits now, and waiters are covered by the commit below
        try {
            if (scrub != null) {
                scrub.stop();
            }
            if (groupCommit.failure() == null && !readOnly) {
                writer.commitQueued();
                recordCleanClose();
                index.stop();
                saveIndexes();
            } else {
                index.stop();
            }
        } finally {
            try {
                for (Segment s : writer.segments()) {
                    closeQuietly(s);
                }
                index.closeFiles();
                lock.close();
            } finally {
                groupCommit.wakeAll();
            }
        }
    }

    /** Records in {@code rewind.store} that every event up to the head was acknowledged and the store closed. */
    private void recordCleanClose() {
        Segment[] segments = writer.segments();
        Segment last = segments[segments.length - 1];
        try {
            if (durability != Durability.FSYNC) {
                last.channel.force(false); // relaxed appends were not synced: the record below must not lie
            }
            new StoreState(true, writer.head(), last.base, last.readableEnd).write(dir);
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
        groupCommit.fail(new EventStoreException("abandoned"));
        if (scrub != null) {
            scrub.stop();
        }
        index.stop();
        for (Segment s : writer.segments()) {
            closeQuietly(s);
        }
        index.closeFiles();
        lock.close();
    }

    /**
     * The index checkpoint of a clean close: what is in memory becomes a run, and the snapshot says the
     * store was closed; they are only derived data, so a failure costs the next open a scan, nothing more.
     */
    private void saveIndexes() {
        try {
            index.checkpointAtClose();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not save the index snapshot of {} ({}); the next open reads the events since the last"
                    + " index checkpoint from the log", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "FileStorage[" + dir + ", " + (readOnly ? "read-only" : durability.toString()) + "]";
    }
}
