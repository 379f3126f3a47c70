package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.spi.StoredRecord;
import java.io.IOException;
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
 * Reads every segment at open (or for {@link FileStorage#verify}), checks every record and rebuilds the
 * indexes. When opening, a torn tail of the last segment (a batch cut short by a crash, never
 * acknowledged) is truncated with a WARN; any other failure stops the open with a
 * {@link CorruptStoreException} and nothing is changed. When verifying, nothing is ever changed and
 * every problem is reported.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private final Path dir;
    private final boolean repair;
    LogIndex index = new LogIndex();
    final List<Segment> segments = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    long bytes;
    private Instant lastTime = Instant.MIN;
    private boolean indexing = true;
    private long nextPosition;
    private int covered;

    /** The index snapshot disagrees with the log: it is ignored. */
    private static final class SnapshotMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnapshotMismatch(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param dir the store directory
     * @param repair true when opening (truncate a torn tail, throw on damage), false when verifying
     */
    LogLoader(Path dir, boolean repair) {
        this.dir = dir;
        this.repair = repair;
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
     */
    void load() throws IOException {
        Path file = dir.resolve(IndexSnapshot.FILE);
        IndexSnapshot.Loaded snapshot = IndexSnapshot.read(dir);
        if (repair && snapshot != null && snapshot.index() != null) {
            try {
                loadFrom(snapshot.index());
                return;
            } catch (SnapshotMismatch e) {
                LOG.warn("The index snapshot {} does not match the log ({}); rebuilding the indexes from the log",
                        file, e.getMessage());
                segments.forEach(LogLoader::closeQuietly);
                segments.clear();
                bytes = 0;
                indexing = true;
            }
        } else if (repair && snapshot != null) {
            LOG.warn("The index snapshot {} is unusable ({}); rebuilding the indexes from the log", file,
                    snapshot.problem());
        }
        loadFrom(new LogIndex());
        if (!repair && snapshot != null && indexing && problems.isEmpty()) {
            if (snapshot.index() == null) {
                notes.add("the index snapshot " + file + " is unusable (" + snapshot.problem()
                        + "); the next open rebuilds the indexes from the log");
            } else if (!snapshot.index().agreesWith(index)) {
                notes.add("the index snapshot " + file + " does not match the log; the next open rebuilds the"
                        + " indexes from the log");
            }
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
            FileChannel ch = repair && last
                    ? FileChannel.open(e.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(e.getValue(), StandardOpenOption.READ);
            Segment seg = new Segment(e.getValue(), e.getKey(), ch, repair && last, 0);
            segments.add(seg);
            loadSegment(seg, last);
        }
        if (indexing && nextPosition < covered) {
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
        long end = r.batchEnd();
        SegmentScanner.Problem problem = r.problem();
        boolean torn = problem != null && problem.kind() != SegmentScanner.Kind.CORRUPT;
        if (problem != null && !(torn && last)) {
            fail("corrupt record in segment " + seg.path + " at offset " + problem.offset() + " (global position "
                    + problem.position() + "): " + problem.detail());
            indexing = false;
        } else if (r.validEnd() > end && !last) {
            fail("segment " + seg.path + " ends inside a batch at offset " + r.validEnd() + " (global position "
                    + r.nextPosition() + ")");
            indexing = false;
        } else if (end < r.size()) {
            String what = (problem != null ? problem.detail() + " at offset " + problem.offset() : "no batch end")
                    + "; " + (r.size() - end) + " bytes of a batch that was never acknowledged";
            if (repair) {
                LOG.warn("Truncating the torn tail of segment {} at offset {} ({})", seg.path, end, what);
                seg.channel.truncate(end);
                seg.channel.force(true);
            } else {
                notes.add("torn tail in segment " + seg.path + " at offset " + end + " (" + what
                        + "); the next open truncates it");
            }
        }
        seg.readableEnd = end;
        seg.writeEnd = end;
    }

    private void fail(String message) {
        if (repair) {
            throw new CorruptStoreException(message + "; the store was not opened and nothing was changed");
        }
        problems.add(message);
    }

    /** Adds records to the index one whole batch at a time, checking what the checksums cannot. */
    private final class BatchSink implements SegmentScanner.Sink {
        private final Segment seg;
        private final List<StoredRecord> batch = new ArrayList<>();
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
        public void accept(StoredRecord record, long offset, boolean batchEnd) {
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

        private void add(StoredRecord r, long offset) {
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
