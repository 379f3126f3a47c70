package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import dev.rewind.storage.kernel.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the log (or reads it for {@link FileStorage#verify}) and applies the recovery rule of
 * docs/adr/0009-file-store-recovery.md, starting from the last index checkpoint
 * (docs/adr/0011-file-store-indexes.md).
 *
 * <p>With a usable {@link IndexSnapshot}, the open reads the snapshot, the first record header and the
 * size of every segment it names, and the footers of its runs; then it scans only the end of the log:
 * the last {@value #WINDOW} events the snapshot covers (checked against it, so that damage at the end of
 * the log is still refused at open) and whatever was appended after the checkpoint (checked, indexed,
 * and its tail judged by the rule). A record the store can prove was acknowledged is never cut; bytes
 * after the last provably acknowledged record are a torn tail. Without a usable snapshot, every record
 * is read and the indexes are rebuilt. Verifying always reads every record and builds its own indexes,
 * in a temporary directory. Only an open for writing changes a file.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);
    /** How many of the last events an index checkpoint covers the open still reads and checks. */
    static final int WINDOW = 4096;

    /** What the load is for. */
    enum Mode {
        /** Opening for writing: a torn tail is cut, damage fails the open. */
        WRITE,
        /** Opening read-only: a torn tail is read around, damage fails the open. */
        READ_ONLY,
        /** Verifying: nothing is changed, every finding is reported. */
        VERIFY
    }

    private final Path dir;
    private final Mode mode;
    private final ReentrantReadWriteLock rw;
    private final int checkpointEvents;
    IndexStore index;
    LogAccess access;
    final List<Segment> segments = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** Whether a torn tail was found (and, when writing, cut). */
    boolean tornTail;
    long bytes;
    /** Whether the indexes were (partly) rebuilt, so that the open must write a snapshot. */
    boolean rebuilt;
    /** What the open read: events indexed from the log, bytes checked, and the time spent reading segments. */
    long scannedEvents;
    long scannedBytes;
    long scanNanos;
    /** The events the snapshot the open started from covers (0 without one). */
    int snapshotCovered;
    private Instant lastTime = Instant.MIN;
    private boolean indexing = true;
    private long nextPosition;
    private int covered;
    private IndexSnapshot snapshot;
    private SegmentScanner.Result tail;
    private Progress progress;
    /** The snapshot's offset entries of the covered events the open reads again, from {@code windowBase}. */
    private int[] windowOffsets = new int[0];
    private int windowBase;

    /** The index snapshot disagrees with the log: it is ignored. */
    private static final class SnapshotMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnapshotMismatch(String message) {
            super(message, null, false, false);
        }
    }

    LogLoader(Path dir, Mode mode) {
        this(dir, mode, new ReentrantReadWriteLock(), IndexStore.DEFAULT_CHECKPOINT_EVENTS);
    }

    LogLoader(Path dir, Mode mode, ReentrantReadWriteLock rw, int checkpointEvents) {
        this.dir = dir;
        this.mode = mode;
        this.rw = rw;
        this.checkpointEvents = checkpointEvents;
    }

    /** @return the lock the indexes were given: the storage guards its state with the same one */
    ReentrantReadWriteLock lock() {
        return rw;
    }

    /** @return the segment files by base position */
    static TreeMap<Long, Path> segmentFiles(Path dir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + Segment.SUFFIX)) {
            for (Path p : ds) {
                long base = Segment.parseBase(p.getFileName().toString());
                if (base >= 0) {
                    files.put(base, p);
                }
            }
        }
        return files;
    }

    void load() throws IOException {
        Path file = dir.resolve(IndexSnapshot.FILE);
        StoreState.Loaded state = StoreState.read(dir);
        IndexSnapshot.Loaded loaded = IndexSnapshot.read(dir);
        TreeMap<Long, Path> files = segmentFiles(dir);
        int i = 0;
        for (var e : files.entrySet()) {
            boolean writable = mode == Mode.WRITE && ++i == files.size();
            FileChannel ch = writable
                    ? FileChannel.open(e.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(e.getValue(), StandardOpenOption.READ);
            Segment seg = new Segment(e.getValue(), e.getKey(), ch, writable, 0);
            seg.readableEnd = ch.size();
            segments.add(seg);
            bytes += ch.size();
        }
        access = new LogAccess(() -> segments.toArray(new Segment[0]));
        IndexSnapshot usable = null;
        if (loaded != null && loaded.snapshot() == null) {
            if (mode == Mode.VERIFY) {
                notes.add("the index snapshot " + file + " is unusable (" + loaded.problem()
                        + "); the next open rebuilds the indexes from the log");
            } else if (loaded.oldFormat()) {
                LOG.info("The index snapshot {} was {}; rebuilding the indexes from the log in this release's"
                        + " format", file, loaded.problem());
            } else {
                LOG.warn("The index snapshot {} is unusable ({}); rebuilding the indexes from the log", file,
                        loaded.problem());
            }
        } else if (loaded != null) {
            String mismatch = segmentMismatch(loaded.snapshot());
            if (mismatch == null) {
                usable = loaded.snapshot();
            } else if (mode == Mode.VERIFY) {
                notes.add("the index snapshot " + file + " does not match the log (stale, or another store's); the"
                        + " next open ignores it and rebuilds the indexes from the log");
            } else {
                LOG.warn("The index snapshot {} does not match the log ({}); rebuilding the indexes from the log",
                        file, mismatch);
            }
        }
        if (mode == Mode.VERIFY) {
            fullScan();
            if (usable != null) {
                checkRunFiles(usable);
                snapshot = usable;
            }
        } else if (usable != null) {
            try {
                fromSnapshot(usable);
            } catch (SnapshotMismatch e) {
                LOG.warn("The index snapshot {} does not match the log ({}); rebuilding the indexes from the log",
                        file, e.getMessage());
                if (index != null) {
                    index.discardWrittenDuringOpen();
                }
                snapshot = null;
                tail = null;
                indexing = true;
                fullScan();
            }
        } else {
            fullScan();
        }
        if (state != null && state.state() == null) {
            String unusable = StoreState.FILE + " is unusable (" + state.problem() + ")";
            if (mode == Mode.VERIFY) {
                notes.add(unusable + "; the next open for writing rewrites it");
            } else {
                LOG.warn("{} in {}; the next open for writing rewrites it", unusable, dir);
            }
        }
        if (indexing && tail != null) {
            decideTail(state);
        }
        if (progress != null) {
            progress.finish();
        }
    }

    /** @return why the snapshot's segment marks do not describe this log, or null when they do */
    private String segmentMismatch(IndexSnapshot s) throws IOException {
        for (IndexSnapshot.SegmentMark m : s.segments()) {
            for (Segment seg : segments) {
                if (seg.base == m.base() && LogAccess.firstChecksum(seg) != m.firstChecksum()) {
                    return "global position " + m.base() + " differs (segment " + seg.path + ", offset 0)";
                }
            }
        }
        return null;
    }

    private Path runDirFor() {
        return mode == Mode.WRITE ? dir : null;
    }

    /** Every record of every segment, indexed afresh. */
    private void fullScan() throws IOException {
        index = new IndexStore(dir, runDirFor(), mode == Mode.WRITE, rw, access, checkpointEvents, List.of(),
                freeGeneration(), 0);
        covered = 0;
        lastTime = Instant.MIN;
        nextPosition = 0;
        if (bytes > 64L << 20 || mode == Mode.VERIFY) {
            progress = Progress.start((mode == Mode.VERIFY ? "verify " : "index rebuild ") + dir, bytes, "bytes");
        }
        for (int i = 0; i < segments.size(); i++) {
            loadSegment(segments.get(i), 0, i == segments.size() - 1);
            if (!indexing) {
                return;
            }
        }
        // a new snapshot replaces an unusable one, and names the runs written; with neither, none is needed
        rebuilt = Files.exists(dir.resolve(IndexSnapshot.FILE)) || !index.runs().isEmpty();
    }

    /** A generation above every run file's in the directory, so that a rebuild replaces none of them. */
    private long freeGeneration() throws IOException {
        long max = -1;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Run.PREFIX + "*")) {
            for (Path p : ds) {
                Matcher m = Run.NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(3)));
                }
            }
        }
        return max + 1;
    }

    /** Opens from a snapshot: its runs, the sizes of the sealed segments it names, then the end of the log. */
    private void fromSnapshot(IndexSnapshot s) throws IOException {
        snapshot = s;
        snapshotCovered = s.covered();
        index = new IndexStore(dir, runDirFor(), mode == Mode.WRITE, rw, access, checkpointEvents, List.of(),
                Math.max(s.generation(), freeGeneration()), s.streams());
        index.segmentMarks(s.segments());
        Map<Long, IndexSnapshot.SegmentMark> marks = new HashMap<>();
        for (IndexSnapshot.SegmentMark m : s.segments()) {
            marks.put(m.base(), m);
        }
        IndexSnapshot.SegmentMark lastMark = s.segments().isEmpty() ? null : s.segments().get(s.segments().size() - 1);
        // the sealed segments the snapshot names: there, in order, and of the size they had
        int si = 0;
        long expected = 0;
        if (lastMark != null) {
            for (; si < segments.size() && segments.get(si).base < lastMark.base(); si++) {
                Segment seg = segments.get(si);
                if (seg.base != expected) {
                    fail(seg.path + " starts at global position " + seg.base + ", but the segments before it end at "
                            + expected + " (a segment is missing or misnamed)");
                    return;
                }
                IndexSnapshot.SegmentMark m = marks.get(seg.base);
                if (m == null) {
                    throw new SnapshotMismatch("it does not name segment " + seg.path);
                }
                if (seg.channel.size() != m.end()) {
                    failSealed(seg, m);
                    return;
                }
                expected = nextMarkBase(s, seg.base);
            }
            if (si == segments.size() || segments.get(si).base != lastMark.base() || expected != lastMark.base()) {
                Segment next = si < segments.size() ? segments.get(si) : null;
                if (next != null && next.base > expected) {
                    fail(next.path + " starts at global position " + next.base + ", but the segments before it end at "
                            + expected + " (a segment is missing or misnamed)");
                } else {
                    fail("the log ends at global position " + expected + " (segment " + Segment.fileName(lastMark.base())
                            + " is missing), but every event below global position " + s.covered()
                            + " was acknowledged: " + s.proof());
                }
                return;
            }
        }
        // the runs: a missing or damaged one is rebuilt from the range of the log it covers
        List<Run> opened = new ArrayList<>();
        for (IndexSnapshot.RunMark m : s.runs()) {
            Path p = dir.resolve(m.fileName());
            Run run;
            try {
                run = Run.open(p, m.length());
                if (run.from != m.from() || run.to != m.to() || run.fromOffset != m.fromOffset()) {
                    run.close();
                    throw new BlockFile.Damaged(p, "its footer disagrees with the index snapshot");
                }
            } catch (BlockFile.Damaged | NoSuchFileException e) {
                String why = e instanceof NoSuchFileException ? "index file " + p + " is missing" : e.getMessage();
                LOG.warn("The {}; rebuilding it from the log (global positions {} to {})", why, m.from(), m.to());
                run = index.rebuild(m.from(), m.to(), m.fromOffset());
                rebuilt = true;
            }
            if (!run.isCurrentFormat()) {
                // its stream entries lack the record offsets a stream read takes from them, and a merge could not
                // add them without reading the log: the log is read once, here, and the run written anew
                LOG.info("The index file {} is in the first run format (RWRUN001, stream entries without record"
                        + " offsets); rebuilding it from the log in the current format (global positions {} to {})",
                        p, m.from(), m.to());
                run.close();
                run = index.rebuild(m.from(), m.to(), m.fromOffset());
                rebuilt = true;
            }
            opened.add(run);
        }
        index.install(opened, s.streams());
        covered = s.covered();
        Instant t = index.lastRecordedAt();
        lastTime = t == null ? Instant.MIN : t;
        // the end of the log: the last events the snapshot covers (checked against it), then the rest
        if (lastMark == null) {
            nextPosition = 0;
            for (int i = 0; i < segments.size(); i++) {
                loadSegment(segments.get(i), 0, i == segments.size() - 1);
                if (!indexing) {
                    return;
                }
            }
            return;
        }
        int candidate = (int) Math.max(lastMark.base(), covered - (long) WINDOW);
        int start = covered;
        if (candidate < covered) {
            int from = Math.max(candidate - 1, (int) lastMark.base());
            int[] entries = index.offsets(from, covered);
            for (int p = candidate; p < covered; p++) {
                if (p == lastMark.base() || (entries[p - 1 - from] & MemTable.BATCH_END) != 0) {
                    start = p;
                    break;
                }
            }
        }
        Segment seg = segments.get(si);
        long startOffset = start == covered ? lastMark.end() : index.offsetEntry(start) & 0x7FFFFFFFL;
        if (startOffset > seg.channel.size()) {
            fail("the log ends at global position " + start + " (offset " + seg.channel.size() + " of segment "
                    + seg.path + "), but every event below global position " + covered + " was acknowledged: "
                    + s.proof());
            return;
        }
        nextPosition = start;
        windowBase = start;
        windowOffsets = index.offsets(start, covered); // one read, not one per record
        for (int i = si; i < segments.size(); i++) {
            loadSegment(segments.get(i), i == si ? startOffset : 0, i == segments.size() - 1);
            if (!indexing) {
                return;
            }
        }
        if (nextPosition < covered && tail == null) {
            throw new SnapshotMismatch("it covers " + covered + " events, the log holds " + nextPosition);
        }
        if (index.covered() > covered) {
            rebuilt = true; // the open wrote runs of what followed the checkpoint: a new snapshot names them
        }
    }

    private static long nextMarkBase(IndexSnapshot s, long base) {
        List<IndexSnapshot.SegmentMark> m = s.segments();
        for (int i = 0; i + 1 < m.size(); i++) {
            if (m.get(i).base() == base) {
                return m.get(i + 1).base();
            }
        }
        return base;
    }

    /** A sealed segment whose size changed since the checkpoint: find and name its first bad record. */
    private void failSealed(Segment seg, IndexSnapshot.SegmentMark m) throws IOException {
        SegmentScanner.Result r = SegmentScanner.scan(seg.channel, seg.base, 0, false, (record, offset, end) -> {
        });
        if (r.problem() != null) {
            fail("corrupt record in segment " + seg.path + " at offset " + r.problem().offset() + " (global position "
                    + r.problem().position() + "): " + r.problem().detail());
        } else {
            fail("segment " + seg.path + " holds " + seg.channel.size() + " bytes, but it held " + m.end()
                    + " when the index checkpoint recorded it (a sealed segment never changes)");
        }
    }

    /** The store's run files, every block read (verify). */
    private void checkRunFiles(IndexSnapshot s) {
        for (IndexSnapshot.RunMark m : s.runs()) {
            Path p = dir.resolve(m.fileName());
            Run run = null;
            try {
                run = Run.open(p, m.length());
                run.checkAll();
            } catch (BlockFile.Damaged e) {
                notes.add("the " + e.getMessage() + "; the store rebuilds it from the log (global positions " + m.from()
                        + " to " + m.to() + ") when it reads it");
            } catch (IOException e) {
                notes.add("the index file " + p + " is missing or unreadable (" + e + "); the next open rebuilds it from"
                        + " the log");
            } finally {
                if (run != null) {
                    run.close();
                }
            }
        }
    }

    private void loadSegment(Segment seg, long startOffset, boolean last) throws IOException {
        if (indexing && seg.base != nextPosition && startOffset == 0) {
            fail(seg.path + " starts at global position " + seg.base + ", but the segments before it end at "
                    + nextPosition + " (a segment is missing or misnamed)");
            indexing = false;
            return;
        }
        BatchSink sink = new BatchSink(seg);
        long t0 = System.nanoTime();
        SegmentScanner.Result r = SegmentScanner.scan(seg.channel, startOffset, nextPosition, covered, Long.MAX_VALUE,
                false, sink);
        scanNanos += System.nanoTime() - t0;
        if (r.nextPosition() > covered) {
            scannedEvents += r.nextPosition() - Math.max(covered, nextPosition);
        }
        scannedBytes += r.validEnd() - startOffset;
        if (progress != null) {
            progress.advance(seg.channel.size() - startOffset);
        }
        nextPosition = r.nextPosition();
        SegmentScanner.Problem problem = r.problem();
        if (last) {
            tail = r;
        } else if (problem != null) {
            // a later segment exists, and segments roll only after an fsync: this one was acknowledged
            fail("corrupt record in segment " + seg.path + " at offset " + problem.offset() + " (global position "
                    + problem.position() + "): " + problem.detail());
            indexing = false;
        } else if (r.validEnd() > r.batchEnd()) {
            fail("segment " + seg.path + " ends inside a batch at offset " + r.validEnd() + " (global position "
                    + r.nextPosition() + ")");
            indexing = false;
        }
        seg.readableEnd = r.batchEnd();
        seg.writeEnd = r.batchEnd();
    }

    /**
     * The last segment: everything below the last provably acknowledged position must be there and
     * sound; what follows the last whole batch is a torn tail.
     */
    private void decideTail(StoreState.Loaded state) throws IOException {
        Segment seg = segments.get(segments.size() - 1);
        SegmentScanner.Result r = tail;
        long acknowledged = 0;
        String proof = null;
        if (state != null && state.state() != null && state.state().acknowledged() > acknowledged) {
            acknowledged = state.state().acknowledged();
            proof = StoreState.FILE + " records " + state.state().describe();
        }
        if (snapshot != null && snapshot.covered() > acknowledged) {
            acknowledged = snapshot.covered();
            proof = snapshot.proof();
        }
        if (r.lastWriteStart() > acknowledged) {
            acknowledged = r.lastWriteStart();
            proof = "a write that began after an fsync returned starts at global position " + r.lastWriteStart();
        }
        long keep = r.batchEndPosition(); // everything from here on is cut (or read around)
        boolean torn = r.problem() != null || r.validEnd() < r.size() || r.batchEnd() < r.validEnd();
        String what = r.problem() != null
                ? r.problem().detail() + " at offset " + r.problem().offset() + " (global position "
                        + r.problem().position() + ")"
                : "a batch without its end at offset " + r.batchEnd() + " (global position " + keep + ")";
        if (torn && keep >= acknowledged && r.problem() != null && r.problem().kind() == SegmentScanner.Kind.CORRUPT) {
            long later = SegmentScanner.laterWriteStart(seg.channel, r.problem().offset() + 1, keep);
            if (later > acknowledged) {
                acknowledged = later;
                proof = "a sound record after it, at global position " + later
                        + ", starts a write that began after an fsync returned";
            }
        }
        if (keep < acknowledged) {
            String message = torn
                    ? "damaged acknowledged record in segment " + seg.path + ": " + what
                    : "the log ends at global position " + keep + " (offset " + r.batchEnd() + " of segment "
                            + seg.path + ")";
            fail(message + ", but every event below global position " + acknowledged + " was acknowledged: "
                    + proof + ". Restore the store from a backup; if the log was restored from an older backup on"
                    + " purpose, remove " + StoreState.FILE + " and " + IndexSnapshot.FILE);
            indexing = false;
            return;
        }
        if (!torn) {
            return;
        }
        if (state != null && state.state() == null) {
            fail("segment " + seg.path + " ends with " + what + ", and " + StoreState.FILE + " is unusable ("
                    + state.problem() + "), so a torn tail cannot be told from a damaged acknowledged record."
                    + " If the last appends before a crash may be lost, remove " + StoreState.FILE
                    + " and open the store again to cut the tail");
            indexing = false;
            return;
        }
        tornTail = true;
        long cut = r.size() - r.batchEnd();
        String description = cut + " bytes after global position " + (keep - 1) + " (" + what
                + "), never acknowledged";
        switch (mode) {
            case WRITE -> cutTail(seg, r.batchEnd(), description);
            case READ_ONLY -> LOG.warn("Segment {} has a torn tail at offset {}: {}; read around it, the next open for"
                    + " writing cuts it", seg.path, r.batchEnd(), description);
            case VERIFY -> notes.add("torn tail in segment " + seg.path + " at offset " + r.batchEnd() + ": "
                    + description + "; the next open for writing cuts it");
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    /** Keeps the bytes of a torn tail in a file beside the segment, then cuts them off the segment. */
    private void cutTail(Segment seg, long at, String description) throws IOException {
        Path keep = StoreDirectory.tornTailFile(seg.path, at);
        try (FileChannel out = FileChannel.open(keep, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = seg.channel.size();
            long pos = at;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SegmentScanner.CHUNK, Math.max(1, size - at)));
            while (pos < size) {
                buf.clear();
                int n = seg.channel.read(buf, pos);
                if (n < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                pos += n;
            }
            out.force(false);
        }
        StoreDirectory.syncDirectory(dir);
        LOG.warn("Cutting the torn tail of segment {} at offset {}: {}; the bytes cut are kept in {}", seg.path, at,
                description, keep);
        seg.channel.truncate(at);
        seg.channel.force(true);
    }

    private void fail(String message) {
        indexing = false;
        if (mode != Mode.VERIFY) {
            throw new CorruptStoreException(message + "; the store was not opened and nothing was changed");
        }
        problems.add(message);
    }

    /** Closes what the load opened (after a failure, or after verifying). */
    void closeAll() {
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing was written through it that matters now
            }
        }
        if (index != null) {
            if (mode == Mode.WRITE) {
                index.discardWrittenDuringOpen();
            } else {
                index.closeFiles();
            }
        }
    }

    /** Adds records to the index one whole batch at a time, checking what the checksums cannot. */
    private final class BatchSink implements SegmentScanner.Sink {
        private final Segment seg;
        private final List<StoredSerializedEvent> batch = new ArrayList<>();
        private final List<Long> offsets = new ArrayList<>();

        BatchSink(Segment seg) {
            this.seg = seg;
        }

        @Override
        public void covered(long position, long offset, boolean batchEnd, long idHigh, long idLow) {
            int p = (int) position;
            int entry = windowOffsets[p - windowBase];
            if ((entry & 0x7FFFFFFFL) != offset || ((entry & MemTable.BATCH_END) != 0) != batchEnd
                    || (p == snapshot.covered() - 1 && (idHigh != snapshot.lastMsb() || idLow != snapshot.lastLsb()))) {
                throw new SnapshotMismatch("global position " + position + " differs (segment " + seg.path
                        + ", offset " + offset + ")");
            }
        }

        @Override
        public void accept(StoredSerializedEvent record, long offset, boolean batchEnd) {
            batch.add(record);
            offsets.add(offset);
            if (batchEnd) {
                for (int i = 0; i < batch.size() && indexing; i++) {
                    add(batch.get(i), offsets.get(i));
                }
                if (indexing) {
                    index.markBatchEnd(index.count() - 1, -1);
                }
                batch.clear();
                offsets.clear();
            }
        }

        private void add(StoredSerializedEvent r, long offset) {
            String where = " in segment " + seg.path + " at offset " + offset + " (global position "
                    + r.globalPosition() + ")";
            long expected = index.lastVersion(r.streamId(), Long.MAX_VALUE) + 1;
            int other = index.positionOf(r.eventId());
            if (other >= 0) {
                inconsistent("event id " + r.eventId() + where + " is already stored at global position " + other);
            } else if (r.streamVersion() != expected) {
                inconsistent("stream '" + r.streamId() + "' has version " + r.streamVersion() + where
                        + " where version " + expected + " was expected");
            } else if (r.recordedAt().isBefore(lastTime)) {
                inconsistent("recordedAt " + r.recordedAt() + where + " is before the previous record's "
                        + lastTime);
            } else {
                index.add(r.eventId(), r.streamId(), (int) r.streamVersion(), (int) offset, r.recordedAt());
                lastTime = r.recordedAt();
            }
        }

        private void inconsistent(String message) {
            fail(message);
        }
    }
}
