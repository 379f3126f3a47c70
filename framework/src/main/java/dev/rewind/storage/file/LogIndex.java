package dev.rewind.storage.file;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The in-memory indexes over the log, rebuilt from it at open: record offsets, event id -> position,
 * stream -> positions, time -> position. Everything is in primitive arrays (about 30 bytes per event
 * plus a little per stream and per batch). Not thread-safe: {@link FileStorage} guards it.
 *
 * <p>Positions are ints: one store holds at most {@link Integer#MAX_VALUE} events.
 */
final class LogIndex {
    private int count;
    private int[] offsets = new int[1024];
    private long[] idHigh = new long[1024];
    private long[] idLow = new long[1024];
    /** Open addressing, linear probing: position + 1, 0 for an empty slot. */
    private int[] idTable = new int[2048];
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
        if ((long) count * 10 > (long) idTable.length * 7) {
            rehash(idTable.length * 2);
        }
        insert(p);
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

    private static int hash(long high, long low) {
        long h = (high ^ low) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void insert(int p) {
        int mask = idTable.length - 1;
        int i = hash(idHigh[p], idLow[p]) & mask;
        while (idTable[i] != 0) {
            i = (i + 1) & mask;
        }
        idTable[i] = p + 1;
    }

    private void rehash(int capacity) {
        idTable = new int[capacity];
        for (int p = 0; p < count; p++) {
            insert(p);
        }
    }

    /** @return the position of the id, or -1 */
    int positionOf(UUID id) {
        long high = id.getMostSignificantBits();
        long low = id.getLeastSignificantBits();
        int mask = idTable.length - 1;
        int i = hash(high, low) & mask;
        int v;
        while ((v = idTable[i]) != 0) {
            int p = v - 1;
            if (idHigh[p] == high && idLow[p] == low) {
                return p;
            }
            i = (i + 1) & mask;
        }
        return -1;
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
        int lo = 0;
        int hi = runs;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(runSecond[mid], t.getEpochSecond());
            if (c == 0) {
                c = Integer.compare(runNano[mid], t.getNano());
            }
            if (c < 0 || (strictlyAfter && c == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == runs ? count : runStart[lo];
    }
}
