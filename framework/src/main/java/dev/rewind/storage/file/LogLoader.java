package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every segment at open (or for {@link FileStorage#verify}), checks every record, rebuilds the
 * indexes and applies the recovery rule of docs/adr/0009-file-store-recovery.md: a record the store can
 * prove was acknowledged is never cut, whatever is wrong with it (the open fails naming segment, offset
 * and global position); bytes after the last provably acknowledged record are a torn tail, whatever
 * they contain. Opening for writing cuts a torn tail (keeping its bytes in a file beside the segment);
 * a read-only open reads around it; verifying reports it. Only an open for writing changes a file.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

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
    LogIndex index = new LogIndex();
    final List<Segment> segments = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** Whether a torn tail was found (and, when writing, cut). */
    boolean tornTail;
    long bytes;
    private Instant lastTime = Instant.MIN;
    private boolean indexing = true;
    private long nextPosition;
    private int covered;
    /** The last segment's scan, for the tail decision. */
    private SegmentScanner.Result tail;

    /** The index snapshot disagrees with the log: it is ignored. */
    private static final class SnapshotMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnapshotMismatch(String message) {
            super(message, null, false, false);
        }
    }

    LogLoader(Path dir, Mode mode) {
        this.dir = dir;
        this.mode = mode;
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

    /**
     * Opening: starts from the index snapshot when there is a sound one (its records are checked, not
     * decoded), else rebuilds everything. Verifying: rebuilds everything, then compares the snapshot.
     * Then decides what the end of the log is.
     */
    void load() throws IOException {
        Path file = dir.resolve(IndexSnapshot.FILE);
        StoreState.Loaded state = StoreState.read(dir);
        IndexSnapshot.Loaded snapshot = IndexSnapshot.read(dir);
        long snapshotCovers = -1;
        boolean loaded = false;
        if (mode != Mode.VERIFY && snapshot != null && snapshot.index() != null) {
            try {
                loadFrom(snapshot.index());
                snapshotCovers = snapshot.index().count();
                loaded = true;
            } catch (SnapshotMismatch e) {
                LOG.warn("The index snapshot {} does not match the log ({}); rebuilding the indexes from the log",
                        file, e.getMessage());
                segments.forEach(LogLoader::closeQuietly);
                segments.clear();
                bytes = 0;
                indexing = true;
                tail = null;
            }
        } else if (mode != Mode.VERIFY && snapshot != null) {
            LOG.warn("The index snapshot {} is unusable ({}); rebuilding the indexes from the log", file,
                    snapshot.problem());
        }
        if (!loaded) {
            loadFrom(new LogIndex());
            if (snapshot != null && indexing) {
                if (snapshot.index() == null) {
                    if (mode == Mode.VERIFY) {
                        notes.add("the index snapshot " + file + " is unusable (" + snapshot.problem()
                                + "); the next open rebuilds the indexes from the log");
                    }
                } else if (snapshot.index().agreesOnPrefix(index)) {
                    snapshotCovers = snapshot.index().count();
                } else if (mode == Mode.VERIFY) {
                    notes.add("the index snapshot " + file + " does not match the log (stale, or another"
                            + " store's); the next open ignores it and rebuilds the indexes from the log");
                }
            }
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
            decideTail(state, snapshotCovers);
        }
    }

    private static void closeQuietly(Segment s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // a second attempt follows
        }
    }

    private void loadFrom(LogIndex initial) throws IOException {
        index = initial;
        covered = initial.count();
        Instant t = initial.lastRecordedAt();
        lastTime = t == null ? Instant.MIN : t;
        nextPosition = 0;
        TreeMap<Long, Path> files = segmentFiles(dir);
        int i = 0;
        for (var e : files.entrySet()) {
            boolean last = ++i == files.size();
            boolean writable = mode == Mode.WRITE && last;
            FileChannel ch = writable
                    ? FileChannel.open(e.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(e.getValue(), StandardOpenOption.READ);
            Segment seg = new Segment(e.getValue(), e.getKey(), ch, writable, 0);
            segments.add(seg);
            loadSegment(seg, last);
        }
        if (indexing && covered > 0 && nextPosition < covered && tail == null) {
            throw new SnapshotMismatch("it covers " + covered + " events, the log holds " + nextPosition);
        }
    }

    private void loadSegment(Segment seg, boolean last) throws IOException {
        if (indexing && seg.base != nextPosition) {
            fail(seg.path + " starts at global position " + seg.base + ", but the segments before it end at "
                    + nextPosition + " (a segment is missing or misnamed)");
            indexing = false;
        }
        BatchSink sink = new BatchSink(seg);
        SegmentScanner.Result r = SegmentScanner.scan(seg.channel, seg.base, covered, false, sink);
        nextPosition = r.nextPosition();
        bytes += r.size();
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
    private void decideTail(StoreState.Loaded state, long snapshotCovers) throws IOException {
        Segment seg = segments.get(segments.size() - 1);
        SegmentScanner.Result r = tail;
        long acknowledged = 0;
        String proof = null;
        if (state != null && state.state() != null && state.state().acknowledged() > acknowledged) {
            acknowledged = state.state().acknowledged();
            proof = StoreState.FILE + " records " + state.state().describe();
        }
        if (snapshotCovers > acknowledged) {
            acknowledged = snapshotCovers;
            proof = "the index snapshot saved at close covers " + snapshotCovers + " events";
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
        if (mode != Mode.VERIFY) {
            throw new CorruptStoreException(message + "; the store was not opened and nothing was changed");
        }
        problems.add(message);
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
            if (index.offset(p) != offset || index.idHigh(p) != idHigh || index.idLow(p) != idLow
                    || index.isBatchEnd(p) != batchEnd) {
                throw new SnapshotMismatch("global position " + position + " differs (segment " + seg.path
                        + ", offset " + offset + ")");
            }
        }

        @Override
        public void accept(StoredSerializedEvent record, long offset, boolean batchEnd) {
            batch.add(record);
            offsets.add(offset);
            if (batchEnd) {
                for (int i = 0; i < batch.size(); i++) {
                    add(batch.get(i), offsets.get(i));
                }
                if (indexing) {
                    index.markBatchEnd(index.count() - 1);
                }
                batch.clear();
                offsets.clear();
            }
        }

        private void add(StoredSerializedEvent r, long offset) {
            if (!indexing) {
                return;
            }
            String where = " in segment " + seg.path + " at offset " + offset + " (global position "
                    + r.globalPosition() + ")";
            LogIndex.Positions stream = index.stream(r.streamId());
            long expected = stream == null ? 0 : stream.size;
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
                index.add(r.eventId(), r.streamId(), (int) offset, r.recordedAt());
                lastTime = r.recordedAt();
            }
        }

        private void inconsistent(String message) {
            fail(message);
            indexing = false;
        }
    }
}
