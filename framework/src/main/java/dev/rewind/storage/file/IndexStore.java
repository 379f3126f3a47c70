package dev.rewind.storage.file;

import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's indexes: global position -> record offset (and batch end), event id -> position,
 * stream -> versions (with each record's offset and length), recorded time -> position. The events since
 * the last index checkpoint are in a {@link MemTable} in the heap; everything before it is in immutable
 * {@link Run} files on disk, each covering a contiguous range of positions, with a filter, fences and
 * time samples in the heap (about 2 bytes per event) so that a look-up reads at most one block (or two
 * neighbours) per run it cannot rule out. A stream read finds its records' places in the stream entries
 * and reads no run's offsets.
 *
 * <p>When the table holds {@code checkpointEvents} events it is frozen and a background thread writes
 * it out as a run and then a new {@link IndexSnapshot} (an index checkpoint); another merges runs of
 * similar size, {@value #FANOUT} at a time, so that a look-up meets a few runs only. Both replace
 * files atomically and name them in the snapshot only once they are durable, so a SIGKILL at any moment
 * leaves the last snapshot and the files it names intact; files it does not name are removed at the
 * next open for writing.
 *
 * <p>A run whose block fails its checksum is never believed: the look-up throws {@link BlockFile.Damaged},
 * {@link FileStorage} calls {@link #repair} outside its lock, and the run is rebuilt from the range of
 * the log it covers, with a WARN. Thread-safety: the look-ups and {@code add} run under
 * {@link FileStorage}'s lock (read or write); the background threads take its write lock only to swap
 * the list of runs.
 */
final class IndexStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    static final int DEFAULT_CHECKPOINT_EVENTS = 1 << 17;
    static final int FANOUT = 4;
    /** Frozen tables waiting for their checkpoint before appends wait (bounds the heap). */
    private static final int MAX_FROZEN = 2;

    private final Path dir;
    /** Where new runs go: the store directory, or null for a temporary directory made on first use. */
    private final Path storeRunDir;
    private final boolean persistent;
    private final ReentrantReadWriteLock rw;
    private final LogAccess log;
    private final int checkpointEvents;

    private volatile List<Run> runs;
    private volatile RunsMax runsMax = new RunsMax(List.of(), 0, 0);

    /** The greatest id in a list of runs (computed once per list). */
    private record RunsMax(List<Run> runs, long msb, long lsb) {
        static RunsMax of(List<Run> runs) {
            long msb = 0;
            long lsb = 0;
            for (Run r : runs) {
                if (r.ids > 0 && Run.compareIds(r.maxMsb, r.maxLsb, msb, lsb) > 0) {
                    msb = r.maxMsb;
                    lsb = r.maxLsb;
                }
            }
            return new RunsMax(runs, msb, lsb);
        }
    }
    private volatile List<MemTable> frozen = List.of();
    private volatile MemTable active;
    private long generation;
    private long diskStreams;
    /** The segments marks of the last snapshot, kept so that a checkpoint reads only new segments' headers. */
    private final List<IndexSnapshot.SegmentMark> segmentMarks = new ArrayList<>();

    /** Guards writing the snapshot and swapping the runs, between the checkpoint, merge and repair threads. */
    private final ReentrantLock manifest = new ReentrantLock();
    private final ReentrantLock repairs = new ReentrantLock();
    private final ReentrantLock signal = new ReentrantLock();
    private final Condition work = signal.newCondition();
    private final Condition room = signal.newCondition();
    private volatile boolean running;
    /** True while the store opens: checkpoints and merges run in the opening thread, and write no snapshot. */
    private volatile boolean loading = true;
    private Path tempDir;
    private volatile boolean stopping;
    private volatile RuntimeException checkpointFailure;
    private final List<Thread> threads = new ArrayList<>();
    /** Files this store wrote during the open that must go if the open fails. */
    private final List<Path> written = new ArrayList<>();

    /**
     * @param dir the store directory
     * @param runDir where new runs are written: the store directory, or null for a temporary directory
     *     (made on first use, deleted at close) when the store may not be written to
     * @param persistent whether snapshots are written (an open for writing)
     * @param runs the runs of the snapshot, covering [0, covered)
     * @param generation the next run generation
     * @param diskStreams the streams among the covered events
     */
    IndexStore(Path dir, Path runDir, boolean persistent, ReentrantReadWriteLock rw, LogAccess log,
               int checkpointEvents, List<Run> runs, long generation, long diskStreams) {
        this.dir = dir;
        this.storeRunDir = runDir;
        this.persistent = persistent;
        this.rw = rw;
        this.log = log;
        this.checkpointEvents = checkpointEvents;
        this.runs = List.copyOf(runs);
        this.runsMax = RunsMax.of(this.runs);
        this.generation = generation;
        this.diskStreams = diskStreams;
        int covered = runs.isEmpty() ? 0 : runs.get(runs.size() - 1).to;
        this.active = new MemTable(covered);
        log.bind(this);
    }

    private synchronized Path runDir() throws IOException {
        if (storeRunDir != null) {
            return storeRunDir;
        }
        if (tempDir == null) {
            tempDir = Files.createTempDirectory("rewind-index-");
        }
        return tempDir;
    }

    /** Installs the runs of a snapshot (while the store opens), with the streams they hold. */
    void install(List<Run> opened, long streams) {
        runs = List.copyOf(opened);
        runsMax = RunsMax.of(runs);
        diskStreams = streams;
        active = new MemTable(covered());
    }

    void segmentMarks(List<IndexSnapshot.SegmentMark> marks) {
        segmentMarks.clear();
        segmentMarks.addAll(marks);
    }

    List<Run> runs() {
        return runs;
    }

    /** @return the positions the runs cover: [0, covered) */
    int covered() {
        List<Run> r = runs;
        return r.isEmpty() ? 0 : r.get(r.size() - 1).to;
    }

    long generation() {
        return generation;
    }

    List<Path> writtenDuringOpen() {
        return written;
    }

    // ---------------------------------------------------------------- adding (write lock held)

    int count() {
        return active.end();
    }

    void add(UUID id, String streamId, int version, int offset, Instant recordedAt) {
        active.add(id.getMostSignificantBits(), id.getLeastSignificantBits(), streamId, version, offset,
                recordedAt.getEpochSecond(), recordedAt.getNano());
    }

    /**
     * Marks the end of a batch; when the table is full, freezes it for a checkpoint (written in the
     * background when running, at once while the store opens).
     *
     * @param endOffset where the batch ends in its segment
     */
    void markBatchEnd(int p, long endOffset) {
        active.markBatchEnd(p, endOffset);
        if (active.size() >= checkpointEvents) {
            freeze();
            if (loading) {
                flushFrozen(false);
            }
        }
    }

    private void freeze() {
        List<MemTable> f = new ArrayList<>(frozen);
        f.add(active);
        frozen = List.copyOf(f);
        active = new MemTable(active.end());
        signalWork();
    }

    /** Waits (not holding the storage's lock) while too many frozen tables wait for their checkpoint. */
    void awaitRoom() {
        if (frozen.size() < MAX_FROZEN || !running || checkpointFailure != null) {
            return;
        }
        signal.lock();
        try {
            while (frozen.size() >= MAX_FROZEN && running && checkpointFailure == null) {
                room.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            signal.unlock();
        }
    }

    // ---------------------------------------------------------------- look-ups (lock held)

    /** @return the raw offset entry (bit 31: batch end) of a position below {@link #count()} */
    int offsetEntry(int p) {
        MemTable m = tableOf(p);
        if (m != null) {
            return m.offsetEntry(p);
        }
        return runOf(p).offsets(p, p + 1)[0];
    }

    /** @return the raw offset entries of [from, to) */
    int[] offsets(int from, int to) {
        int[] out = new int[to - from];
        int p = from;
        while (p < to) {
            MemTable m = tableOf(p);
            if (m != null) {
                int q = Math.min(to, m.end());
                System.arraycopy(m.offsetsArray(), p - m.base, out, p - from, q - p);
                p = q;
            } else {
                Run r = runOf(p);
                int q = Math.min(to, r.to);
                int[] part = r.offsets(p, q);
                System.arraycopy(part, 0, out, p - from, q - p);
                p = q;
            }
        }
        return out;
    }

    boolean isBatchEnd(int p) {
        return (offsetEntry(p) & MemTable.BATCH_END) != 0;
    }

    private MemTable tableOf(int p) {
        if (p >= active.base) {
            return active;
        }
        for (MemTable m : frozen) {
            if (p >= m.base && p < m.end()) {
                return m;
            }
        }
        return null;
    }

    private Run runOf(int p) {
        List<Run> r = runs;
        int lo = 0;
        int hi = r.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (r.get(mid).from <= p) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Run run = r.get(lo);
        if (p < run.from || p >= run.to) {
            throw new IllegalStateException("no run covers global position " + p + " (runs " + r + ")");
        }
        return run;
    }

    /** @return the position of the id, or -1 */
    int positionOf(UUID id) {
        int p = active.positionOf(id);
        if (p >= 0) {
            return p;
        }
        List<MemTable> f = frozen;
        for (int i = f.size() - 1; i >= 0; i--) {
            p = f.get(i).positionOf(id);
            if (p >= 0) {
                return p;
            }
        }
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        List<Run> r = runs;
        RunsMax max = runsMax;
        if (max.runs == r && Run.compareIds(msb, lsb, max.msb, max.lsb) > 0) {
            return -1; // above every id on disk: what a new id made by Rewind usually is
        }
        for (int i = r.size() - 1; i >= 0; i--) {
            p = r.get(i).positionOf(msb, lsb);
            if (p >= 0) {
                return p;
            }
        }
        return -1;
    }

    /**
     * @param streamId a stream
     * @param head positions at or above it do not count (queued, not acknowledged)
     * @return the version of its last event below {@code head}, or -1
     */
    long lastVersion(String streamId, long head) {
        long last = last(streamId, head);
        return last < 0 ? -1 : last >>> 32;
    }

    /**
     * @return the version (high 32 bits) and position (low 32 bits) of the stream's last event below
     *     {@code head}, or -1 when it has none
     */
    long last(String streamId, long head) {
        List<MemTable> f = frozen;
        for (int i = f.size(); i >= 0; i--) { // the active table, then the frozen ones, newest first
            MemTable.Positions ps = (i == f.size() ? active : f.get(i)).stream(streamId);
            if (ps != null) {
                int n = ps.countBelow(head);
                if (n > 0) {
                    return pack(ps.firstVersion + n - 1, ps.values[n - 1]);
                }
                if (ps.firstVersion == 0) {
                    return -1;
                }
                // every event of it in this table is queued: its last acknowledged one is older
            }
        }
        return lastOnDisk(streamId);
    }

    private static long pack(int version, int position) {
        return ((long) version << 32) | (position & 0xFFFFFFFFL);
    }

    private long lastOnDisk(String streamId) {
        long hash = Bloom.hashStream(streamId);
        List<Run> r = runs;
        long[] found = {-1};
        for (int i = r.size() - 1; i >= 0 && found[0] < 0; i--) {
            // the newest run holding the stream holds its last version; a name that hashes alike is told apart
            // by the record itself
            r.get(i).streamEntriesDescending(hash, (version, position, offset, length) -> {
                if (log.record(position, offset, length).streamId().equals(streamId)) {
                    found[0] = pack(version, position);
                    return true;
                }
                return false;
            });
        }
        return found[0];
    }

    /**
     * Where the records of some versions of a stream are: their positions in version order, each with its
     * raw offset entry (bit 31: batch end) and, when a run gave it, the end of its record in its segment.
     */
    static final class StreamHits {
        int size;
        int[] positions = new int[16];
        int[] offsets = new int[16];
        /** The end of each record in its segment, or -1 when a table gave it (its next record's offset says). */
        int[] ends = new int[16];

        void add(int position, int offset, int end) {
            if (size == positions.length) {
                positions = java.util.Arrays.copyOf(positions, size * 2);
                offsets = java.util.Arrays.copyOf(offsets, size * 2);
                ends = java.util.Arrays.copyOf(ends, size * 2);
            }
            positions[size] = position;
            offsets[size] = offset;
            ends[size] = end;
            size++;
        }
    }

    /**
     * The records of versions [fromVersion, toVersion] of a stream, in version order, below {@code head}:
     * from a run's stream entries (which carry each record's offset and length: the offsets section is not
     * read) and the tables' arrays. Records of another stream whose name hashes alike may be among them: the
     * caller drops records of other streams.
     */
    StreamHits stream(String streamId, long fromVersion, long toVersion, long head) {
        StreamHits out = new StreamHits();
        if (fromVersion > Integer.MAX_VALUE || toVersion < fromVersion) {
            return out; // a stream has at most as many versions as the store has positions (ints)
        }
        int lo = (int) Math.max(0, fromVersion);
        int hi = (int) Math.min(Integer.MAX_VALUE, toVersion);
        List<MemTable> f = frozen;
        MemTable[] tables = new MemTable[f.size() + 1];
        MemTable.Positions[] found = new MemTable.Positions[tables.length];
        int firstInMemory = Integer.MAX_VALUE;
        for (int i = 0; i < tables.length; i++) {
            tables[i] = i < f.size() ? f.get(i) : active;
            found[i] = tables[i].stream(streamId);
            if (found[i] != null) {
                firstInMemory = Math.min(firstInMemory, found[i].firstVersion);
            }
        }
        if (lo < firstInMemory) {
            long hash = Bloom.hashStream(streamId);
            int top = (int) Math.min(hi, firstInMemory - 1L);
            for (Run r : runs) {
                r.streamEntries(hash, lo, top, (version, position, offset, length) ->
                        out.add(position, offset, (offset & ~MemTable.BATCH_END) + length));
            }
        }
        for (int t = 0; t < tables.length; t++) {
            MemTable.Positions ps = found[t];
            if (ps == null) {
                continue;
            }
            int n = ps.countBelow(head);
            for (int i = Math.max(0, lo - ps.firstVersion); i < n && ps.firstVersion + i <= hi; i++) {
                out.add(ps.values[i], tables[t].offsetEntry(ps.values[i]), -1);
            }
        }
        return out;
    }

    /** @return the first position recorded at or after {@code t}, or {@link #count()} */
    int firstPositionAtOrAfter(Instant t) {
        long second = t.getEpochSecond();
        int nano = t.getNano();
        List<Run> r = runs;
        int lo = 0;
        int hi = r.size();
        while (lo < hi) { // the first run whose last instant is at or after t
            int mid = (lo + hi) >>> 1;
            Run run = r.get(mid);
            if (compare(run.lastSecond, run.lastNano, second, nano) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < r.size()) {
            return firstInRun(r.get(lo), t);
        }
        for (MemTable m : frozen) {
            Instant last = m.lastRecordedAt();
            if (last != null && !last.isBefore(t)) {
                return m.firstPositionFrom(t, false);
            }
        }
        return active.firstPositionFrom(t, false);
    }

    private int firstInRun(Run run, Instant t) {
        if (compare(run.firstSecond, run.firstNano, t.getEpochSecond(), t.getNano()) >= 0) {
            return run.from;
        }
        int s = run.lastSampleBefore(t.getEpochSecond(), t.getNano());
        int lo = s + 1;
        int hi = Math.min(s + Run.SAMPLE, run.to - 1);
        while (lo < hi) { // recordedAt(lo - 1) < t <= recordedAt(hi)
            int mid = (lo + hi) >>> 1;
            if (log.record(mid).recordedAt().isBefore(t)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int compare(long second, int nano, long otherSecond, int otherNano) {
        int c = Long.compare(second, otherSecond);
        return c != 0 ? c : Integer.compare(nano, otherNano);
    }

    /** @return the last recordedAt, or null when empty */
    Instant lastRecordedAt() {
        Instant t = active.lastRecordedAt();
        if (t != null) {
            return t;
        }
        List<MemTable> f = frozen;
        if (!f.isEmpty()) {
            return f.get(f.size() - 1).lastRecordedAt();
        }
        List<Run> r = runs;
        if (r.isEmpty()) {
            return null;
        }
        Run last = r.get(r.size() - 1);
        return Instant.ofEpochSecond(last.lastSecond, last.lastNano);
    }

    long streamCount() {
        long n = diskStreams + active.newStreams();
        for (MemTable m : frozen) {
            n += m.newStreams();
        }
        return n;
    }

    /** @return the heap the indexes hold now, estimated from their arrays */
    long heapBytes() {
        long n = 0;
        for (Run r : runs) {
            n += r.heapBytes();
        }
        long events = active.size();
        for (MemTable m : frozen) {
            events += m.size();
        }
        return n + events * 48;
    }

    /** @return whether every run's filters and fences are in the heap */
    boolean loaded() {
        for (Run r : runs) {
            if (!r.isLoaded()) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- background work

    /** Starts the checkpoint and merge threads (an open for writing), and loads the runs' filters. */
    void start(String name) {
        loading = false;
        running = true;
        if (persistent) {
            threads.add(thread("rewind-index-checkpoint " + name, this::checkpointLoop));
            threads.add(thread("rewind-index-merge " + name, this::mergeLoop));
        }
        threads.add(thread("rewind-index-load " + name, this::preload));
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void preload() {
        for (Run r : runs) {
            if (stopping) {
                return;
            }
            try {
                r.load();
            } catch (BlockFile.Damaged e) {
                repair(e);
            } catch (RuntimeException e) {
                LOG.debug("Loading the filters of {} failed ({}); they load at their first use", r, e.toString());
            }
        }
    }

    /**
     * Loads a run just written, before it is installed, when the store preloads its runs: otherwise a
     * merge or a checkpoint leaves a run whose filters the next look-up has to read, and the heap figure
     * ({@link #loaded()}) says "not loaded" until then.
     */
    private void preloadNew(Run run) {
        if (!running) {
            return;
        }
        try {
            run.load();
        } catch (RuntimeException e) {
            LOG.debug("Loading the filters of {} failed ({}); they load at their first use", run, e.toString());
        }
    }

    private void signalWork() {
        if (signal.tryLock()) { // never wait here: the caller may hold the storage's lock
            try {
                work.signalAll();
            } finally {
                signal.unlock();
            }
        }
    }

    private void awaitWork() throws InterruptedException {
        signal.lock();
        try {
            work.await(50, TimeUnit.MILLISECONDS);
        } finally {
            signal.unlock();
        }
    }

    private void checkpointLoop() {
        while (!stopping) {
            try {
                if (frozen.isEmpty()) {
                    awaitWork();
                    continue;
                }
                flushFrozen(true);
            } catch (InterruptedException e) {
                return;
            } catch (BlockFile.Damaged e) {
                repair(e); // a run the checkpoint read (for the snapshot) is damaged: rebuild it, then go on
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                if (checkpointFailure == null) {
                    LOG.warn("An index checkpoint of {} failed ({}); the events since the last one stay in memory and"
                            + " the next open reads them from the log", dir, e.toString());
                }
                checkpointFailure = e;
                try {
                    awaitWork();
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Writes every frozen table out as a run, each followed by a snapshot when persistent. */
    private void flushFrozen(boolean background) {
        while (!frozen.isEmpty() && !(background && stopping)) {
            MemTable m = frozen.get(0);
            if (persistent && !log.awaitDurable(m.end())) {
                throw new IllegalStateException("the log was not written up to global position " + m.end());
            }
            Run run = writePart(m, nextGeneration());
            preloadNew(run);
            manifest.lock();
            try {
                List<Run> next = new ArrayList<>(runs);
                next.add(run);
                long streams = diskStreams + m.newStreams();
                if (persistent && running) {
                    writeSnapshot(next, m, streams, false);
                }
                swap(next, () -> {
                    List<MemTable> f = new ArrayList<>(frozen);
                    f.remove(m);
                    frozen = List.copyOf(f);
                    diskStreams = streams;
                });
                checkpointFailure = null;
            } finally {
                manifest.unlock();
            }
            signal.lock();
            try {
                room.signalAll();
                work.signalAll();
            } finally {
                signal.unlock();
            }
            if (loading) {
                mergeWhileDue(false);
            }
        }
    }

    private void swap(List<Run> next, Runnable also) {
        boolean lock = !loading;
        if (lock) {
            rw.writeLock().lock();
        }
        try {
            List<Run> installed = List.copyOf(next);
            runs = installed;
            runsMax = RunsMax.of(installed);
            also.run();
        } finally {
            if (lock) {
                rw.writeLock().unlock();
            }
        }
    }

    /**
     * Writes the snapshot naming {@code next}, which ends where {@code last} ends (manifest lock held).
     * Its segment marks say where that is in the log.
     */
    private void writeSnapshot(List<Run> next, MemTable last, long streams, boolean closed) {
        try {
            int covered = last == null ? (next.isEmpty() ? 0 : next.get(next.size() - 1).to) : last.end();
            snapshotFor(next, covered, last == null ? -1 : last.endOffset, streams, closed).write(dir, last == null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing the index snapshot of " + dir + " failed", e);
        }
    }

    /** The snapshot naming {@code next}; {@code endOffset} is where position covered - 1 ends, -1 when unknown. */
    private IndexSnapshot snapshotFor(List<Run> next, int covered, long endOffset, long streams, boolean closed)
            throws IOException {
        long lastMsb = 0;
        long lastLsb = 0;
        int lastChecksum = 0;
        List<IndexSnapshot.SegmentMark> marks = new ArrayList<>();
        if (covered > 0) {
            Segment[] segs = log.segments();
            int lastIndex = LogReader.segmentIndex(segs, covered - 1);
            long known = segmentMarks.isEmpty() ? -1 : segmentMarks.get(segmentMarks.size() - 1).base();
            for (int i = 0; i <= lastIndex; i++) {
                Segment s = segs[i];
                int checksum = 0;
                if (s.base <= known) {
                    for (IndexSnapshot.SegmentMark m : segmentMarks) {
                        if (m.base() == s.base) {
                            checksum = m.firstChecksum();
                        }
                    }
                } else {
                    checksum = LogAccess.firstChecksum(s);
                }
                long end = i < lastIndex ? s.channel.size() : endOffset;
                marks.add(new IndexSnapshot.SegmentMark(s.base, end, checksum));
            }
            StoredSerializedEvent last = log.record(covered - 1);
            lastMsb = last.eventId().getMostSignificantBits();
            lastLsb = last.eventId().getLeastSignificantBits();
            lastChecksum = recordChecksum(covered - 1);
            if (endOffset < 0) {
                long off = offsetEntry(covered - 1) & 0x7FFFFFFFL;
                marks.set(marks.size() - 1, new IndexSnapshot.SegmentMark(segs[lastIndex].base,
                        off + RecordCodec.HEADER + recordBodyLength(covered - 1), marks.get(marks.size() - 1)
                        .firstChecksum()));
            }
        }
        segmentMarks(marks);
        List<IndexSnapshot.RunMark> runMarks = new ArrayList<>();
        for (Run r : next) {
            runMarks.add(new IndexSnapshot.RunMark(r.length(), r.generation, r.from, r.to, r.fromOffset));
        }
        return new IndexSnapshot(closed, covered, generation, streams, lastMsb, lastLsb, lastChecksum, marks,
                runMarks);
    }

    private int recordChecksum(int p) throws IOException {
        return header(p).getInt(8);
    }

    private int recordBodyLength(int p) throws IOException {
        return header(p).getInt(0);
    }

    private java.nio.ByteBuffer header(int p) throws IOException {
        Segment s = log.segmentOf(p);
        long off = offsetEntry(p) & 0x7FFFFFFFL;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(RecordCodec.HEADER);
        s.io(ch -> {
            b.clear();
            long at = off;
            while (b.hasRemaining() && ch.read(b, at) >= 0) {
                at = off + b.position();
            }
            return null;
        });
        return b;
    }

    private void mergeLoop() {
        while (!stopping) {
            try {
                if (!mergeWhileDue(true)) {
                    awaitWork();
                }
            } catch (InterruptedException e) {
                return;
            } catch (java.util.concurrent.CancellationException e) {
                return; // closing: the half-written run is a temporary file the next open removes
            } catch (BlockFile.Damaged e) {
                repair(e); // an input of the merge is damaged: rebuild it from the log, merge later
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warn("Merging index runs of {} failed ({}); the runs stay as they are", dir, e.toString());
                try {
                    awaitWork();
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * @return the size tier of a run: tier t holds runs of [c F^t, c F^(t+1)) events (c the checkpoint
     *     interval, F the fan-out), and runs of one tier are merged {@value #FANOUT} at a time
     */
    private int tier(Run r) {
        long n = r.to - r.from;
        int t = 0;
        long limit = (long) checkpointEvents * FANOUT;
        while (n >= limit && t < 30) {
            limit *= FANOUT;
            t++;
        }
        return t;
    }

    /** Merges the oldest group of {@value #FANOUT} neighbouring runs of one tier; returns whether it did. */
    private boolean mergeWhileDue(boolean background) {
        boolean merged = false;
        while (!(background && stopping)) {
            List<Run> r = runs;
            List<Run> group = null;
            for (int i = 0; i + FANOUT <= r.size() && group == null; i++) {
                int t = tier(r.get(i));
                boolean same = true;
                for (int k = 1; k < FANOUT && same; k++) {
                    same = tier(r.get(i + k)) == t;
                }
                if (same) {
                    group = new ArrayList<>(r.subList(i, i + FANOUT));
                }
            }
            if (group == null) {
                return merged;
            }
            merge(group, background);
            merged = true;
        }
        return merged;
    }

    private void merge(List<Run> group, boolean background) {
        long gen = nextGeneration();
        Run out;
        try {
            out = Run.write(runDir(), gen, RunMerge.of(group, () -> background && stopping));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("merging index runs of " + dir + " failed", e);
        }
        if (loading) {
            written.add(out.path());
        }
        preloadNew(out);
        manifest.lock();
        try {
            List<Run> current = new ArrayList<>(runs);
            int at = current.indexOf(group.get(0));
            if ((background && stopping) || at < 0 || at + group.size() > current.size()
                    || !current.subList(at, at + group.size()).equals(group)) {
                out.close(); // closing, or a repair replaced one of them meanwhile
                deleteQuietly(out.path());
                return;
            }
            List<Run> next = new ArrayList<>(current.subList(0, at));
            next.add(out);
            next.addAll(current.subList(at + group.size(), current.size()));
            if (persistent && running) {
                writeSnapshot(next, null, diskStreams, false);
            }
            swap(next, () -> {
            });
        } finally {
            manifest.unlock();
        }
        retire(group);
        CrashPoints.reached("merge inputs deleted");
    }

    private void retire(List<Run> old) {
        for (Run r : old) {
            r.close();
            // while the store opens, nothing the last snapshot names is deleted (a failed open changes nothing):
            // the first snapshot after the open no longer names it, and the sweep of that open removes it
            if (!loading || written.remove(r.path())) {
                deleteQuietly(r.path());
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("Could not delete {} ({}); the next open for writing removes it", p, e.toString());
        }
    }

    // ---------------------------------------------------------------- repair

    /**
     * Rebuilds from the log the run whose file a look-up found damaged (call without the storage's
     * lock); does nothing when that run was replaced meanwhile.
     */
    void repair(BlockFile.Damaged damage) {
        repairs.lock();
        try {
            Run damaged = null;
            for (Run r : runs) {
                if (r.path().equals(damage.file)) {
                    damaged = r;
                }
            }
            if (damaged == null) {
                return;
            }
            LOG.warn("The {}; rebuilding it from the log (global positions {} to {})", damage.getMessage(),
                    damaged.from, damaged.to);
            Run rebuilt = rebuild(damaged.from, damaged.to, damaged.fromOffset);
            manifest.lock();
            try {
                List<Run> next = new ArrayList<>(runs);
                int at = next.indexOf(damaged);
                if (at < 0) {
                    rebuilt.close();
                    deleteQuietly(rebuilt.path());
                    return;
                }
                next.set(at, rebuilt);
                if (persistent && running) {
                    writeSnapshot(next, null, diskStreams, false);
                }
                swap(next, () -> {
                });
            } finally {
                manifest.unlock();
            }
            damaged.close();
            if (persistent) {
                deleteQuietly(damaged.path());
            }
            LOG.info("Rebuilt {} from the log as {}", damaged, rebuilt);
        } finally {
            repairs.unlock();
        }
    }

    /** Builds one run for [from, to) from the log, through tables of {@code checkpointEvents} merged at the end. */
    Run rebuild(int from, int to, long fromOffset) {
        List<Run> parts = new ArrayList<>();
        MemTable[] table = {new MemTable(from)};
        dev.rewind.storage.kernel.Progress progress = dev.rewind.storage.kernel.Progress.start("index rebuild of " + dir
                + " (global positions " + from + " to " + to + ")", to - from, "events");
        try {
            log.scan(from, to, fromOffset, (record, offset, batchEnd) -> {
                MemTable m = table[0];
                if ((m.end() & 4095) == 0) {
                    progress.advance(4096);
                }
                m.add(record.eventId().getMostSignificantBits(), record.eventId().getLeastSignificantBits(),
                        record.streamId(), (int) record.streamVersion(), (int) offset,
                        record.recordedAt().getEpochSecond(), record.recordedAt().getNano());
                if (batchEnd) {
                    m.markBatchEnd(m.end() - 1, 0);
                }
                if (batchEnd && (m.size() >= checkpointEvents || m.end() == to)) {
                    parts.add(writePart(m, nextGeneration()));
                    table[0] = new MemTable(m.end());
                }
            });
            if (parts.isEmpty() || parts.get(parts.size() - 1).to != to) {
                throw new IllegalStateException("the log from global position " + from + " does not end a batch at " + to);
            }
            progress.finish();
            if (parts.size() == 1) {
                return parts.get(0);
            }
            Run merged = Run.write(runDir(), nextGeneration(), RunMerge.of(parts));
            for (Run p : parts) {
                p.close();
                deleteQuietly(p.path());
            }
            return merged;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("rebuilding an index run of " + dir + " failed", e);
        }
    }

    private long nextGeneration() {
        manifest.lock();
        try {
            return generation++;
        } finally {
            manifest.unlock();
        }
    }

    /** Writes a table out as a run (its first record's offset is where a rebuild of it would start). */
    private Run writePart(MemTable m, long gen) {
        try {
            Run run = Run.write(runDir(), gen, m.contents(m.offsetEntry(m.base) & 0x7FFFFFFFL,
                    p -> log.recordLength(p, m.offsetEntry(p))));
            if (loading) {
                written.add(run.path());
            }
            return run;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing an index run of " + dir + " failed", e);
        }
    }

    // ---------------------------------------------------------------- close

    /** Stops the background threads (waiting for them; a merge in progress is abandoned at its next chunk). */
    void stop() {
        stopping = true;
        signal.lock();
        try {
            work.signalAll();
            room.signalAll();
        } finally {
            signal.unlock();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
    }

    /**
     * The checkpoint of a clean close: writes what is in memory as a run and a snapshot that says so.
     * Call after {@link #stop()}, with every event durable.
     */
    void checkpointAtClose() throws IOException {
        if (active.size() > 0) {
            freeze();
        }
        flushFrozen(false);
        manifest.lock();
        try {
            snapshotFor(runs, covered(), -1, diskStreams, true).write(dir);
        } finally {
            manifest.unlock();
        }
    }

    /** Writes a snapshot naming the runs as they are (after an open that rebuilt some). */
    void writeSnapshotNow() throws IOException {
        manifest.lock();
        try {
            snapshotFor(runs, covered(), -1, diskStreams, false).write(dir);
        } finally {
            manifest.unlock();
        }
    }

    RuntimeException checkpointFailure() {
        return checkpointFailure;
    }

    /** Closes the run files (and deletes a temporary run directory). */
    void closeFiles() {
        for (Run r : runs) {
            r.close();
        }
        if (tempDir != null) {
            deleteTree(tempDir);
        }
    }

    /** Removes the files of an open that failed. */
    void discardWrittenDuringOpen() {
        for (Run r : runs) {
            r.close();
        }
        for (Path p : written) {
            deleteQuietly(p);
        }
        if (tempDir != null) {
            deleteTree(tempDir);
        }
    }

    static void deleteTree(Path d) {
        if (!Files.isDirectory(d)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(d);
        } catch (IOException e) {
            LOG.debug("Could not delete the temporary index directory {} ({})", d, e.toString());
        }
    }
}
