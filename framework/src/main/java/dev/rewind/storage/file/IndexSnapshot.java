package dev.rewind.storage.file;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The index snapshot ({@code index.snapshot}): what the last index checkpoint wrote, in a few hundred
 * bytes whatever the store's size. It names the {@link Run} files that index the positions below
 * {@link #covered}, and holds what lets an open tell, without reading the records, that they index this
 * log: the first record header of every segment, each segment's end, and the id and checksum of the
 * last record covered. Written atomically (temporary file, forced, renamed, directory forced) after the
 * runs it names and the log records they cover are durable, so it proves those records acknowledged
 * (docs/adr/0011-file-store-indexes.md).
 *
 * <pre>
 * magic "RWIDX002" | int format | byte closed | long covered | long generation | long streams
 * | long lastMsb | long lastLsb | int lastChecksum
 * | int segments x (long base, long end, int firstChecksum)   end: the file's size when sealed, else where
 *                                                             record covered - 1 ends
 * | int runs x (long length, long generation, int from, int to, long fromOffset)
 * | int CRC32C of everything before it
 * </pre>
 *
 * @param closed whether it was written by a clean close
 * @param covered the number of events the runs index (positions below it)
 * @param generation the next run generation (run file names are unique within a store)
 * @param streams the number of streams among the covered events
 * @param lastMsb the id of the last covered event (most significant bits)
 * @param lastLsb its least significant bits
 * @param lastChecksum the body checksum of its record
 * @param segments the segments holding covered events, in order
 * @param runs the runs, in position order, covering [0, covered)
 */
record IndexSnapshot(boolean closed, int covered, long generation, long streams, long lastMsb, long lastLsb,
                     int lastChecksum, List<SegmentMark> segments, List<RunMark> runs) {
    static final String FILE = "index.snapshot";
    static final String TEMP = FILE + ".tmp";
    private static final byte[] MAGIC = "RWIDX002".getBytes(StandardCharsets.US_ASCII);
    /** The in-heap snapshot of the releases before issue 18; still recognised, then replaced. */
    private static final byte[] OLD_MAGIC = "RWIDX001".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 2;

    /**
     * One segment as the checkpoint saw it.
     *
     * @param base its base position
     * @param end its size, or for the last covered segment where the last covered record ends
     * @param firstChecksum the body checksum of its first record
     */
    record SegmentMark(long base, long end, int firstChecksum) {
    }

    /**
     * One run named by the snapshot.
     *
     * @param length its logical length
     * @param generation its generation (in its name)
     * @param from the first position it covers
     * @param to the end of its range
     * @param fromOffset the offset of {@code from} in its segment (to rebuild it from the log)
     */
    record RunMark(long length, long generation, int from, int to, long fromOffset) {
        String fileName() {
            return Run.fileName(from, to, generation);
        }
    }

    /**
     * What reading the file gave.
     *
     * @param snapshot the snapshot, or null when unusable
     * @param problem why it is unusable, or null
     * @param oldFormat whether it is the format of an earlier release (not damage)
     */
    record Loaded(IndexSnapshot snapshot, String problem, boolean oldFormat) {
    }

    IndexSnapshot {
        segments = List.copyOf(segments);
        runs = List.copyOf(runs);
    }

    void write(Path dir) throws IOException {
        write(dir, false);
    }

    /** @param merge whether a merge writes it (a crash test tells the two apart) */
    void write(Path dir, boolean merge) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT);
        out.writeByte(closed ? 1 : 0);
        out.writeLong(covered);
        out.writeLong(generation);
        out.writeLong(streams);
        out.writeLong(lastMsb);
        out.writeLong(lastLsb);
        out.writeInt(lastChecksum);
        out.writeInt(segments.size());
        for (SegmentMark s : segments) {
            out.writeLong(s.base());
            out.writeLong(s.end());
            out.writeInt(s.firstChecksum());
        }
        out.writeInt(runs.size());
        for (RunMark r : runs) {
            out.writeLong(r.length());
            out.writeLong(r.generation());
            out.writeInt(r.from());
            out.writeInt(r.to());
            out.writeLong(r.fromOffset());
        }
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
        Path tmp = dir.resolve(TEMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
        CrashPoints.reached("snapshot written");
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StoreDirectory.syncDirectory(dir);
        CrashPoints.reached(merge ? "merge named" : "checkpoint named");
    }

    /** @return whether the file starts with a snapshot's magic, of this release or an earlier one */
    static boolean hasMagic(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] m = in.readNBytes(MAGIC.length);
            return Arrays.equals(m, MAGIC) || Arrays.equals(m, OLD_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** @return null when there is no snapshot */
    static Loaded read(Path dir) {
        byte[] all;
        try {
            all = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new Loaded(null, "unreadable (" + e + ")", false);
        }
        if (all.length >= OLD_MAGIC.length && Arrays.equals(all, 0, OLD_MAGIC.length, OLD_MAGIC, 0, OLD_MAGIC.length)) {
            return new Loaded(null, "written by an earlier release", true);
        }
        if (all.length < MAGIC.length + 8 || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Loaded(null, "not an index snapshot", false);
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        ByteBuffer b = ByteBuffer.wrap(all);
        if ((int) crc.getValue() != b.getInt(all.length - 4)) {
            return new Loaded(null, "checksum mismatch", false);
        }
        try {
            b.position(MAGIC.length);
            int format = b.getInt();
            if (format != FORMAT) {
                return new Loaded(null, "format " + format + " (this release reads format " + FORMAT + ")", false);
            }
            boolean closed = b.get() == 1;
            long covered = b.getLong();
            long generation = b.getLong();
            long streams = b.getLong();
            long lastMsb = b.getLong();
            long lastLsb = b.getLong();
            int lastChecksum = b.getInt();
            int nSegments = b.getInt();
            if (covered < 0 || covered > Integer.MAX_VALUE || nSegments < 0 || nSegments > all.length / 20) {
                return new Loaded(null, "impossible values", false);
            }
            List<SegmentMark> segments = new ArrayList<>(nSegments);
            for (int i = 0; i < nSegments; i++) {
                segments.add(new SegmentMark(b.getLong(), b.getLong(), b.getInt()));
            }
            int nRuns = b.getInt();
            if (nRuns < 0 || nRuns > all.length / 32) {
                return new Loaded(null, "impossible values", false);
            }
            List<RunMark> runs = new ArrayList<>(nRuns);
            long next = 0;
            for (int i = 0; i < nRuns; i++) {
                RunMark r = new RunMark(b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getLong());
                if (r.from() != next || r.to() < r.from()) {
                    return new Loaded(null, "runs that do not follow each other", false);
                }
                next = r.to();
                runs.add(r);
            }
            if (next != covered) {
                return new Loaded(null, "runs that end at " + next + ", not at " + covered, false);
            }
            return new Loaded(new IndexSnapshot(closed, (int) covered, generation, streams, lastMsb, lastLsb,
                    lastChecksum, segments, runs), null, false);
        } catch (BufferUnderflowException e) {
            return new Loaded(null, "undecodable (too short)", false);
        }
    }

    /** @return the proof this snapshot gives, in words */
    String proof() {
        return closed ? "the index snapshot saved at close covers " + covered + " events"
                : "the index checkpoint in the index snapshot covers " + covered + " events";
    }
}
