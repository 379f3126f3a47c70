package dev.rewind.storage.file;

import dev.rewind.storage.kernel.IdIndex;
import dev.rewind.storage.kernel.TimeIndex;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The in-memory indexes over the log, rebuilt from it (or loaded from an {@link IndexSnapshot}) at
 * open: record offsets, event id -> position, stream -> positions, time -> position, batch ends.
 * Everything is in primitive arrays (about 40 bytes per event, stream names included, for 1M events). Not thread-safe: {@link FileStorage} guards it.
 *
 * <p>Positions are ints: one store holds at most {@link Integer#MAX_VALUE} events.
 */
final class LogIndex {
    private int count;
    private int[] offsets = new int[1024];
    private long[] idHigh = new long[1024];
    private long[] idLow = new long[1024];
    /** Event id -> position (ids that arrive in increasing order cost no hashing: see {@link IdIndex}). */
    private final IdIndex ids = new IdIndex();
    /** One bit per position: set when the record ends its batch (exact retries must match whole batches). */
    private long[] batchEnds = new long[16];
    private final Map<String, Positions> streams = new HashMap<>();
    // time runs: the position where recordedAt changes, and the instant from there on
    private int runs;
    private int[] runStart = new int[64];
    private long[] runSecond = new long[64];
    private int[] runNano = new int[64];

    /** The global positions of one stream, in stream order. */
    static final class Positions {
        int[] values = new int[2];
        int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        /** The number of positions below {@code head}. */
        int countBelow(long head) {
            int n = size;
            while (n > 0 && values[n - 1] >= head) {
                n--;
            }
            return n;
        }
    }

    int count() {
        return count;
    }

    /**
     * Adds the next position.
     *
     * @param offset where its record starts in its segment
     */
    void add(UUID id, String streamId, int offset, Instant recordedAt) {
        if (count == Integer.MAX_VALUE) {
            throw new IllegalStateException("the file storage holds at most " + Integer.MAX_VALUE + " events");
        }
        int p = count;
        if (p == offsets.length) {
            int n = p + (p >> 1);
            offsets = Arrays.copyOf(offsets, n);
            idHigh = Arrays.copyOf(idHigh, n);
            idLow = Arrays.copyOf(idLow, n);
        }
        offsets[p] = offset;
        idHigh[p] = id.getMostSignificantBits();
        idLow[p] = id.getLeastSignificantBits();
        count = p + 1;
        ids.add(idHigh[p], idLow[p], p);
        streams.computeIfAbsent(streamId, s -> new Positions()).add(p);
        addTime(p, recordedAt);
    }

    void markBatchEnd(int p) {
        int word = p >>> 6;
        if (word >= batchEnds.length) {
            batchEnds = Arrays.copyOf(batchEnds, Math.max(word + 1, batchEnds.length * 2));
        }
        batchEnds[word] |= 1L << p;
    }

    boolean isBatchEnd(int p) {
        int word = p >>> 6;
        return word < batchEnds.length && (batchEnds[word] & (1L << p)) != 0;
    }

    private void addTime(int p, Instant t) {
        if (runs > 0 && runSecond[runs - 1] == t.getEpochSecond() && runNano[runs - 1] == t.getNano()) {
            return;
        }
        if (runs == runStart.length) {
            int n = runs * 2;
            runStart = Arrays.copyOf(runStart, n);
            runSecond = Arrays.copyOf(runSecond, n);
            runNano = Arrays.copyOf(runNano, n);
        }
        runStart[runs] = p;
        runSecond[runs] = t.getEpochSecond();
        runNano[runs] = t.getNano();
        runs++;
    }

    /** @return the last recordedAt, or null when empty */
    Instant lastRecordedAt() {
        return runs == 0 ? null : Instant.ofEpochSecond(runSecond[runs - 1], runNano[runs - 1]);
    }

    /** Indexes the ids of a snapshot just read (into a fresh index). */
    private void indexIds() {
        for (int p = 0; p < count; p++) {
            ids.add(idHigh[p], idLow[p], p);
        }
    }

    /** @return the position of the id, or -1 */
    int positionOf(UUID id) {
        return ids.get(id, idHigh, idLow);
    }

    UUID idAt(int p) {
        return new UUID(idHigh[p], idLow[p]);
    }

    int offset(int p) {
        return offsets[p];
    }

    /** @return the offsets array as it is now (entries below {@link #count()} never change) */
    int[] offsets() {
        return offsets;
    }

    Positions stream(String streamId) {
        return streams.get(streamId);
    }

    int streamCount() {
        return streams.size();
    }

    /**
     * @param t an instant
     * @param strictlyAfter whether a record at exactly {@code t} counts as before it
     * @return the first position recorded after (or at) {@code t}, or {@link #count()}
     */
    int firstPositionFrom(Instant t, boolean strictlyAfter) {
        int run = TimeIndex.search(runSecond, runNano, runs, t, strictlyAfter);
        return run == runs ? count : runStart[run];
    }

    long idHigh(int p) {
        return idHigh[p];
    }

    long idLow(int p) {
        return idLow[p];
    }

    /** Writes everything, for {@link IndexSnapshot}. */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(count);
        for (int p = 0; p < count; p++) {
            out.writeInt(offsets[p]);
        }
        for (int p = 0; p < count; p++) {
            out.writeLong(idHigh[p]);
            out.writeLong(idLow[p]);
        }
        for (int w = 0; w < (count + 63) >>> 6; w++) {
            out.writeLong(w < batchEnds.length ? batchEnds[w] : 0);
        }
        out.writeInt(runs);
        for (int i = 0; i < runs; i++) {
            out.writeInt(runStart[i]);
            out.writeLong(runSecond[i]);
            out.writeInt(runNano[i]);
        }
        out.writeInt(streams.size());
        for (Map.Entry<String, Positions> e : streams.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeInt(name.length);
            out.write(name);
            Positions positions = e.getValue();
            out.writeInt(positions.size);
            for (int i = 0; i < positions.size; i++) {
                out.writeInt(positions.values[i]);
            }
        }
    }

    /**
     * Reads what {@link #writeTo} wrote (whose checksum the caller has checked).
     *
     * @param maxCount an upper bound on the count, from the file size, so that damage cannot ask for a huge array
     */
    static LogIndex readFrom(DataInputStream in, long maxCount) throws IOException {
        LogIndex x = new LogIndex();
        int n = in.readInt();
        if (n < 0 || n > maxCount) {
            throw new IOException("bad event count " + n);
        }
        int capacity = Math.max(n, 1024);
        x.offsets = new int[capacity];
        x.idHigh = new long[capacity];
        x.idLow = new long[capacity];
        for (int p = 0; p < n; p++) {
            x.offsets[p] = in.readInt();
        }
        for (int p = 0; p < n; p++) {
            x.idHigh[p] = in.readLong();
            x.idLow[p] = in.readLong();
        }
        x.batchEnds = new long[Math.max(16, (n + 63) >>> 6)];
        for (int w = 0; w < (n + 63) >>> 6; w++) {
            x.batchEnds[w] = in.readLong();
        }
        x.count = n;
        int runs = in.readInt();
        if (runs < 0 || runs > n) {
            throw new IOException("bad time run count " + runs);
        }
        x.runs = runs;
        x.runStart = new int[Math.max(64, runs)];
        x.runSecond = new long[Math.max(64, runs)];
        x.runNano = new int[Math.max(64, runs)];
        for (int i = 0; i < runs; i++) {
            x.runStart[i] = in.readInt();
            x.runSecond[i] = in.readLong();
            x.runNano[i] = in.readInt();
        }
        int streamCount = in.readInt();
        if (streamCount < 0 || streamCount > n) {
            throw new IOException("bad stream count " + streamCount);
        }
        for (int s = 0; s < streamCount; s++) {
            int len = in.readInt();
            if (len < 0 || len > 1 << 20) {
                throw new IOException("bad stream name length " + len);
            }
            String name = new String(in.readNBytes(len), StandardCharsets.UTF_8);
            int size = in.readInt();
            if (size < 0 || size > n) {
                throw new IOException("bad stream size " + size);
            }
            Positions positions = new Positions();
            positions.values = new int[Math.max(2, size)];
            for (int i = 0; i < size; i++) {
                positions.values[i] = in.readInt();
            }
            positions.size = size;
            x.streams.put(name, positions);
        }
        x.indexIds();
        return x;
    }

    /**
     * @param rebuilt the indexes rebuilt from the log
     * @return whether these indexes (a snapshot) say the same as {@code rebuilt} about the positions they cover
     */
    /**
     * @param rebuilt indexes rebuilt from the log
     * @return whether both say the same of every position both hold (offset, event id, batch end): a
     *     snapshot that does is this log's, even when it covers more than the log still holds
     */
    boolean agreesOnPrefix(LogIndex rebuilt) {
        int n = Math.min(count, rebuilt.count);
        for (int p = 0; p < n; p++) {
            if (offsets[p] != rebuilt.offsets[p] || idHigh[p] != rebuilt.idHigh[p] || idLow[p] != rebuilt.idLow[p]
                    || isBatchEnd(p) != rebuilt.isBatchEnd(p)) {
                return false;
            }
        }
        return true;
    }

    boolean agreesWith(LogIndex rebuilt) {
        if (count > rebuilt.count) {
            return false;
        }
        for (int p = 0; p < count; p++) {
            if (offsets[p] != rebuilt.offsets[p] || idHigh[p] != rebuilt.idHigh[p] || idLow[p] != rebuilt.idLow[p]
                    || isBatchEnd(p) != rebuilt.isBatchEnd(p)) {
                return false;
            }
        }
        for (int i = 0; i < runs; i++) {
            if (i >= rebuilt.runs || runStart[i] != rebuilt.runStart[i] || runSecond[i] != rebuilt.runSecond[i]
                    || runNano[i] != rebuilt.runNano[i]) {
                return false;
            }
        }
        long positions = 0;
        for (Map.Entry<String, Positions> e : streams.entrySet()) {
            Positions mine = e.getValue();
            Positions theirs = rebuilt.streams.get(e.getKey());
            if (theirs == null || theirs.size < mine.size || !Arrays.equals(mine.values, 0, mine.size, theirs.values,
                    0, mine.size)) {
                return false;
            }
            positions += mine.size;
        }
        return positions == count && Objects.equals(lastRecordedAtBelow(rebuilt, count), lastRecordedAt());
    }

    private static Instant lastRecordedAtBelow(LogIndex x, int n) {
        Instant last = null;
        for (int i = 0; i < x.runs && x.runStart[i] < n; i++) {
            last = Instant.ofEpochSecond(x.runSecond[i], x.runNano[i]);
        }
        return last;
    }
}
