package dev.rewind.storage.file;

import dev.rewind.storage.kernel.IdIndex;
import dev.rewind.storage.kernel.TimeIndex;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The indexes of the events appended since the last index checkpoint, in the heap, in primitive arrays:
 * record offsets with the batch-end flag, event ids, stream -> versions, time runs. An index checkpoint
 * writes it out as a {@link Run}; its size is bounded by the checkpoint interval. Not thread-safe:
 * {@link FileStorage}'s lock guards it, and once frozen for a checkpoint it no longer changes.
 */
final class MemTable {
    static final int BATCH_END = 1 << 31;

    final int base;
    private int count;
    private int[] offsets = new int[256];
    private long[] idHigh = new long[256];
    private long[] idLow = new long[256];
    private final IdIndex ids = new IdIndex();
    private final Map<String, Positions> streams = new HashMap<>();
    private int newStreams;
    private int runs;
    private int[] runStart = new int[16];
    private long[] runSecond = new long[16];
    private int[] runNano = new int[16];
    /** Where the last whole batch ends in its segment (the next record's offset, unless the segment rolls). */
    long endOffset;

    /** The positions of one stream in this table, from version {@code firstVersion} on. */
    static final class Positions {
        final int firstVersion;
        int[] values = new int[2];
        int size;

        Positions(int firstVersion) {
            this.firstVersion = firstVersion;
        }

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        /** @return how many of its positions are below {@code head} */
        int countBelow(long head) {
            int n = size;
            while (n > 0 && values[n - 1] >= head) {
                n--;
            }
            return n;
        }
    }

    MemTable(int base) {
        this.base = base;
        this.count = base;
    }

    /** @return the position after the last one added */
    int end() {
        return count;
    }

    int size() {
        return count - base;
    }

    /** Adds the next position, at {@code version} of its stream. */
    void add(long msb, long lsb, String streamId, int version, int offset, long second, int nano) {
        if (count == Integer.MAX_VALUE) {
            throw new IllegalStateException("the file storage holds at most " + Integer.MAX_VALUE + " events");
        }
        int i = count - base;
        if (i == offsets.length) {
            int n = i + (i >> 1);
            offsets = Arrays.copyOf(offsets, n);
            idHigh = Arrays.copyOf(idHigh, n);
            idLow = Arrays.copyOf(idLow, n);
        }
        offsets[i] = offset;
        idHigh[i] = msb;
        idLow[i] = lsb;
        count++;
        ids.add(msb, lsb, i);
        Positions p = streams.get(streamId);
        if (p == null) {
            p = new Positions(version);
            streams.put(streamId, p);
            if (version == 0) {
                newStreams++;
            }
        }
        p.add(count - 1);
        if (runs == 0 || runSecond[runs - 1] != second || runNano[runs - 1] != nano) {
            if (runs == runStart.length) {
                runStart = Arrays.copyOf(runStart, runs * 2);
                runSecond = Arrays.copyOf(runSecond, runs * 2);
                runNano = Arrays.copyOf(runNano, runs * 2);
            }
            runStart[runs] = count - 1;
            runSecond[runs] = second;
            runNano[runs] = nano;
            runs++;
        }
    }

    void markBatchEnd(int p, long endOffset) {
        offsets[p - base] |= BATCH_END;
        this.endOffset = endOffset;
    }

    /** @return the raw offset entry of a position of this table (bit 31: batch end) */
    int offsetEntry(int p) {
        return offsets[p - base];
    }

    /** @return the offsets array as it is now (entries never change once written; index = position - base) */
    int[] offsetsArray() {
        return offsets;
    }

    /** @return the position of the id, or -1 */
    int positionOf(UUID id) {
        int i = ids.get(id, idHigh, idLow);
        return i < 0 ? -1 : base + i;
    }

    UUID idAt(int p) {
        return new UUID(idHigh[p - base], idLow[p - base]);
    }

    Positions stream(String streamId) {
        return streams.get(streamId);
    }

    int newStreams() {
        return newStreams;
    }

    /** @return the last recordedAt, or null when empty */
    Instant lastRecordedAt() {
        return runs == 0 ? null : Instant.ofEpochSecond(runSecond[runs - 1], runNano[runs - 1]);
    }

    Instant firstRecordedAt() {
        return runs == 0 ? null : Instant.ofEpochSecond(runSecond[0], runNano[0]);
    }

    /** @return the first position recorded at or after {@code t} (after it when strictly), or {@link #end()} */
    int firstPositionFrom(Instant t, boolean strictlyAfter) {
        int run = TimeIndex.search(runSecond, runNano, runs, t, strictlyAfter);
        return run == runs ? count : runStart[run];
    }

    /** The instant recorded at a position of this table. */
    private int runOf(int p) {
        int lo = 0;
        int hi = runs - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (runStart[mid] <= p) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * What this table becomes on disk: sorted entries over [base, end).
     *
     * @param fromOffset where position {@code base} is in its segment
     * @param lastInSegment the length of the record at a position that is the last of its segment in this
     *     table (the table knows where a record ends only where the next one begins)
     */
    Run.Contents contents(long fromOffset, java.util.function.IntUnaryOperator lastInSegment) {
        int n = size();
        long[] msb = Arrays.copyOf(idHigh, n);
        long[] lsb = Arrays.copyOf(idLow, n);
        int[] idPos = new int[n];
        for (int i = 0; i < n; i++) {
            idPos[i] = base + i;
        }
        Sorting.sortIds(msb, lsb, idPos, n);
        // sort the streams by hash, not every entry: each stream's entries are in version order already
        int nStreams = streams.size();
        long[] streamHash = new long[nStreams];
        int[] order = new int[nStreams];
        Positions[] byIndex = new Positions[nStreams];
        int si = 0;
        for (Map.Entry<String, Positions> e : streams.entrySet()) {
            streamHash[si] = Bloom.hashStream(e.getKey());
            byIndex[si] = e.getValue();
            order[si] = si;
            si++;
        }
        long[] sortedHash = streamHash.clone();
        Sorting.sortByKey(sortedHash, order, nStreams);
        long[] hash = new long[n];
        int[] version = new int[n];
        int[] pos = new int[n];
        int k = 0;
        for (int i = 0; i < nStreams; i++) {
            Positions ps = byIndex[order[i]];
            int groupStart = k;
            for (int v = 0; v < ps.size; v++) {
                hash[k] = sortedHash[i];
                version[k] = ps.firstVersion + v;
                pos[k] = ps.values[v];
                k++;
            }
            if (i > 0 && sortedHash[i] == sortedHash[i - 1]) {
                // two names that hash alike: their entries interleave by version
                int lo = groupStart;
                while (lo > 0 && hash[lo - 1] == sortedHash[i]) {
                    lo--;
                }
                Sorting.sortStreamsRange(hash, version, pos, lo, k - 1);
            }
        }
        int samples = Run.samples(base, count);
        long[] second = new long[samples];
        int[] nano = new int[samples];
        int first = (base + Run.SAMPLE - 1) / Run.SAMPLE * Run.SAMPLE;
        for (int i = 0; i < samples; i++) {
            int r = runOf(first + i * Run.SAMPLE);
            second[i] = runSecond[r];
            nano[i] = runNano[r];
        }
        int[] offs = Arrays.copyOf(offsets, n);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            int at = offs[i] & ~BATCH_END;
            int next = i + 1 < n ? offs[i + 1] & ~BATCH_END : -1;
            // records follow each other in a segment: a next offset above this one is where this record ends
            lengths[i] = next > at ? next - at : lastInSegment.applyAsInt(base + i);
        }
        int[] cursor = new int[1];
        int[] ic = {-1};
        int[] sc = {-1};
        int entries = k;
        Run.IdCursor idCursor = new Run.IdCursor() {
            @Override
            public boolean next() {
                return ++ic[0] < n;
            }

            @Override
            public long msb() {
                return msb[ic[0]];
            }

            @Override
            public long lsb() {
                return lsb[ic[0]];
            }

            @Override
            public int position() {
                return idPos[ic[0]];
            }
        };
        Run.StreamCursor streamCursor = new Run.StreamCursor() {
            @Override
            public boolean next() {
                return ++sc[0] < entries;
            }

            @Override
            public long hash() {
                return hash[sc[0]];
            }

            @Override
            public int version() {
                return version[sc[0]];
            }

            @Override
            public int position() {
                return pos[sc[0]];
            }

            @Override
            public int offset() {
                return offs[pos[sc[0]] - base];
            }

            @Override
            public int length() {
                return lengths[pos[sc[0]] - base];
            }
        };
        return new Run.Contents(base, count, fromOffset, () -> offs[cursor[0]++], n, idCursor, entries, streamCursor,
                streams.size(), newStreams, second, nano, runSecond[0], runNano[0], runSecond[runs - 1],
                runNano[runs - 1]);
    }
}
