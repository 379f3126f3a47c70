package dev.rewind.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One index run: the indexes of a contiguous range of global positions {@code [from, to)}, immutable,
 * in one {@link BlockFile} named {@code index-<from>-<to>-<generation>.run}. Runs are made by an index
 * checkpoint (from the events appended since the last one) and by merging neighbouring runs; because
 * a run covers a contiguous range, a damaged one is rebuilt from that range of the log alone.
 *
 * <pre>
 * magic "RWRUN002"
 * offsets:  (to - from) x int      record offset in its segment; bit 31 set when the record ends its batch
 * ids:      n x (long msb, long lsb, int position)           sorted by id (unsigned)
 * streams:  m x (long hash, int version, int position, int offset, int length)
 *                                  sorted by hash (unsigned), version, position; offset as in the offsets
 *                                  section (bit 31: batch end), length the record's bytes (header and body)
 * id fences: ceil(n / 128) x (long msb, long lsb)            the first id of every 128
 * stream fences: ceil(m / 64) x (long hash, int version)     the first key of every 64
 * samples:  one (long second, int nano) per position p in [from, to) with p % 64 == 0: its recordedAt
 * id filter, stream filter: {@link Bloom} words
 * footer (FOOTER bytes): from, to, fromOffset, n, m, streamKeys, newStreams, minId, maxId, first and
 *     last recordedAt, "RWRUNEND"
 * </pre>
 *
 * A stream read takes each record's place in the log from its stream entry and reads the offsets
 * section not at all (docs/adr/0019-stream-entries-with-offsets.md); the offsets section serves reads
 * by position. The first format, {@code RWRUN001}, had stream entries of (hash, version, position) and
 * a stream fence every 128 entries; such a run still opens (its shape is checked and {@link #checkAll}
 * reads it), but its stream entries are not read: the open rebuilds it from the log
 * ({@link #isCurrentFormat}).
 *
 * <p>The fences, samples and filters (about 2 bytes per event: 1.9 with streams of ten events) are
 * loaded into the heap on first use; everything else is read from the file when asked, each block's
 * checksum checked.
 */
final class Run {
    static final String PREFIX = "index-";
    static final String SUFFIX = ".run";
    static final Pattern NAME = Pattern.compile("index-(\\d{20})-(\\d{20})-(\\d+)\\.run");
    static final byte[] MAGIC = "RWRUN002".getBytes(StandardCharsets.US_ASCII);
    /** The first format's magic: stream entries without record offsets. */
    static final byte[] MAGIC_1 = "RWRUN001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "RWRUNEND".getBytes(StandardCharsets.US_ASCII);
    static final int FENCE = 128;
    static final int SAMPLE = 64;
    static final int ID_ENTRY = 20;
    /**
     * A stream fence every 64 entries: the entries a look-up reads from a fence (1,536 bytes) lie in one
     * block more often than the 128 entries of 16 bytes of the first format did.
     */
    static final int STREAM_FENCE = 64;
    static final int STREAM_ENTRY = 24;
    private static final int STREAM_ENTRY_1 = 16;
    static final int FOOTER = 8 * 15 + 4 * 2 + END.length;

    final Path path;
    final long generation;
    /** 2, or 1 for a run of the first format (see the class comment). */
    final int format;
    final int from;
    final int to;
    /** The offset of position {@code from} in its segment: where a rebuild starts reading the log. */
    final long fromOffset;
    final long ids;
    final long streams;
    /** Distinct stream hashes, as the writer counted them (the size of the stream filter). */
    final long streamKeys;
    /** Streams whose first event (version 0) is in this run. */
    final long newStreams;
    final long minMsb;
    final long minLsb;
    final long maxMsb;
    final long maxLsb;
    final long firstSecond;
    final int firstNano;
    final long lastSecond;
    final int lastNano;
    /** The width of a stream entry and the stream fence interval of this run's format. */
    private final int streamEntry;
    private final int streamFence;
    private final BlockFile.Reader reader;
    private volatile Loaded loaded;

    /** What is kept in the heap once loaded. */
    private record Loaded(long[] idFenceMsb, long[] idFenceLsb, long[] streamFenceHash, int[] streamFenceVersion,
                          long[] sampleSecond, int[] sampleNano, Bloom idFilter, Bloom streamFilter) {
        long heapBytes() {
            return 8L * (idFenceMsb.length * 2L + streamFenceHash.length + sampleSecond.length)
                    + 4L * (streamFenceVersion.length + sampleNano.length)
                    + 8L * (idFilter.words.length + streamFilter.words.length);
        }
    }

    private Run(Path path, long generation, int format, BlockFile.Reader reader, ByteBuffer footer) {
        this.path = path;
        this.generation = generation;
        this.format = format;
        this.streamEntry = format == 1 ? STREAM_ENTRY_1 : STREAM_ENTRY;
        this.streamFence = format == 1 ? FENCE : STREAM_FENCE;
        this.reader = reader;
        this.from = (int) footer.getLong(0);
        this.to = (int) footer.getLong(8);
        this.fromOffset = footer.getLong(16);
        this.ids = footer.getLong(24);
        this.streams = footer.getLong(32);
        this.streamKeys = footer.getLong(40);
        this.newStreams = footer.getLong(48);
        this.minMsb = footer.getLong(56);
        this.minLsb = footer.getLong(64);
        this.maxMsb = footer.getLong(72);
        this.maxLsb = footer.getLong(80);
        this.firstSecond = footer.getLong(88);
        this.lastSecond = footer.getLong(96);
        this.firstNano = footer.getInt(120);
        this.lastNano = footer.getInt(124);
    }

    static String fileName(int from, int to, long generation) {
        return String.format(java.util.Locale.ROOT, "%s%020d-%020d-%d%s", PREFIX, from, to, generation, SUFFIX);
    }

    /** @return whether a file name is a run's */
    static boolean isRunName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * Opens a run of either format, reading only its footer and magic.
     *
     * @param length the logical length the index snapshot recorded
     * @throws BlockFile.Damaged when the file is too short, its footer's block fails its checksum, or
     *     the footer disagrees with the file's name
     */
    static Run open(Path path, long length) throws IOException {
        Matcher m = NAME.matcher(path.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a run file name: " + path);
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        BlockFile.Reader reader = null;
        try {
            if (length < MAGIC.length + FOOTER || ch.size() != BlockFile.physicalSize(length)) {
                throw new BlockFile.Damaged(path, ch.size() + " bytes on disk where " + BlockFile.physicalSize(length)
                        + " were written");
            }
            reader = new BlockFile.Reader(path, ch, length);
            ByteBuffer footer = reader.scan(length - FOOTER, FOOTER);
            byte[] end = new byte[END.length];
            footer.get(FOOTER - END.length, end);
            byte[] magic = new byte[MAGIC.length];
            reader.scan(0, MAGIC.length).get(magic);
            int format = Arrays.equals(magic, MAGIC) ? 2 : Arrays.equals(magic, MAGIC_1) ? 1 : 0;
            if (format == 0) {
                throw new BlockFile.Damaged(path, "it does not begin with a run's magic");
            }
            Run run = new Run(path, Long.parseLong(m.group(3)), format, reader, footer);
            if (!Arrays.equals(end, END) || run.from != Long.parseLong(m.group(1))
                    || run.to != Long.parseLong(m.group(2)) || run.from > run.to
                    || length != run.expectedLength()) {
                throw new BlockFile.Damaged(path, "its footer does not describe it");
            }
            return run;
        } catch (IOException | RuntimeException e) {
            if (reader != null) {
                reader.close(); // its mappings too
            } else {
                ch.close();
            }
            throw e;
        }
    }

    private long offsetsAt() {
        return MAGIC.length;
    }

    private long idsAt() {
        return offsetsAt() + 4L * (to - from);
    }

    private long streamsAt() {
        return idsAt() + ID_ENTRY * ids;
    }

    private long idFencesAt() {
        return streamsAt() + streamEntry * streams;
    }

    private long streamFencesAt() {
        return idFencesAt() + 16 * fences(ids);
    }

    private long samplesAt() {
        return streamFencesAt() + 12 * fences(streams, streamFence);
    }

    private long idFilterAt() {
        return samplesAt() + 12L * samples(from, to);
    }

    private long streamFilterAt() {
        return idFilterAt() + 8L * Bloom.wordsFor(ids);
    }

    private long expectedLength() {
        return streamFilterAt() + 8L * Bloom.wordsFor(streamKeys) + FOOTER;
    }

    static long fences(long entries) {
        return fences(entries, FENCE);
    }

    static long fences(long entries, int interval) {
        return (entries + interval - 1) / interval;
    }

    /** @return whether this run is in the format this build writes (else the open rebuilds it from the log) */
    boolean isCurrentFormat() {
        return format == 2;
    }

    /** @return how many positions of [from, to) are multiples of {@link #SAMPLE} */
    static int samples(int from, int to) {
        return (int) (ceilDiv(to, SAMPLE) - ceilDiv(from, SAMPLE));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    Path path() {
        return path;
    }

    long length() {
        return reader.length();
    }

    /** @return the heap the loaded parts hold, 0 when not loaded */
    long heapBytes() {
        Loaded l = loaded;
        return l == null ? 0 : l.heapBytes();
    }

    boolean isLoaded() {
        return loaded != null;
    }

    /** Loads the fences, samples and filters (once). */
    void load() {
        if (loaded != null) {
            return;
        }
        synchronized (this) {
            if (loaded != null) {
                return;
            }
            int nIdFences = (int) fences(ids);
            ByteBuffer b = reader.scan(idFencesAt(), 16 * nIdFences);
            long[] fMsb = new long[nIdFences];
            long[] fLsb = new long[nIdFences];
            for (int i = 0; i < nIdFences; i++) {
                fMsb[i] = b.getLong();
                fLsb[i] = b.getLong();
            }
            int nStreamFences = (int) fences(streams, streamFence);
            b = reader.scan(streamFencesAt(), 12 * nStreamFences);
            long[] sHash = new long[nStreamFences];
            int[] sVersion = new int[nStreamFences];
            for (int i = 0; i < nStreamFences; i++) {
                sHash[i] = b.getLong();
                sVersion[i] = b.getInt();
            }
            int nSamples = samples(from, to);
            b = reader.scan(samplesAt(), 12 * nSamples);
            long[] second = new long[nSamples];
            int[] nano = new int[nSamples];
            for (int i = 0; i < nSamples; i++) {
                second[i] = b.getLong();
                nano[i] = b.getInt();
            }
            loaded = new Loaded(fMsb, fLsb, sHash, sVersion, second, nano, readFilter(idFilterAt(), ids),
                    readFilter(streamFilterAt(), streamKeys));
        }
    }

    private Bloom readFilter(long at, long keys) {
        int words = Bloom.wordsFor(keys);
        long[] w = new long[words];
        int done = 0;
        while (done < words) {
            int n = Math.min(words - done, 1 << 16);
            ByteBuffer b = reader.scan(at + 8L * done, 8 * n);
            b.asLongBuffer().get(w, done, n);
            done += n;
        }
        return new Bloom(w);
    }

    private Loaded loaded() {
        load();
        return loaded;
    }

    // ---------------------------------------------------------------- offsets

    /** @return the raw offset entries (bit 31: batch end) of positions [p, q) of this run, for a read */
    int[] offsets(int p, int q) {
        return offsets(reader.read(offsetsAt() + 4L * (p - from), 4 * (q - p)), q - p);
    }

    /** {@link #offsets}, for a merge: positional. */
    int[] scanOffsets(int p, int q) {
        return offsets(reader.scan(offsetsAt() + 4L * (p - from), 4 * (q - p)), q - p);
    }

    private static int[] offsets(ByteBuffer b, int n) {
        int[] out = new int[n];
        b.asIntBuffer().get(out);
        return out;
    }

    // ---------------------------------------------------------------- ids

    static int compareIds(long msb, long lsb, long otherMsb, long otherLsb) {
        int c = Long.compareUnsigned(msb, otherMsb);
        return c != 0 ? c : Long.compareUnsigned(lsb, otherLsb);
    }

    /** @return the position of the id in this run, or -1 */
    int positionOf(long msb, long lsb) {
        if (ids == 0 || compareIds(msb, lsb, minMsb, minLsb) < 0 || compareIds(msb, lsb, maxMsb, maxLsb) > 0) {
            return -1;
        }
        Loaded l = loaded();
        if (!l.idFilter.mayContain(Bloom.hashId(msb, lsb))) {
            return -1;
        }
        int lo = 0;
        int hi = l.idFenceMsb.length - 1;
        while (lo < hi) { // the last fence <= id
            int mid = (lo + hi + 1) >>> 1;
            if (compareIds(l.idFenceMsb[mid], l.idFenceLsb[mid], msb, lsb) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long first = (long) lo * FENCE;
        int n = (int) Math.min(FENCE, ids - first);
        ByteBuffer b = reader.read(idsAt() + first * ID_ENTRY, n * ID_ENTRY);
        int a = 0;
        int z = n - 1;
        while (a <= z) {
            int m = (a + z) >>> 1;
            int c = compareIds(b.getLong(m * ID_ENTRY), b.getLong(m * ID_ENTRY + 8), msb, lsb);
            if (c == 0) {
                return b.getInt(m * ID_ENTRY + 16);
            }
            if (c < 0) {
                a = m + 1;
            } else {
                z = m - 1;
            }
        }
        return -1;
    }

    /** Reads the id entries [i, i + n) (for merges and checks: positional). */
    ByteBuffer idEntries(long i, int n) {
        return reader.scan(idsAt() + i * ID_ENTRY, n * ID_ENTRY);
    }

    // ---------------------------------------------------------------- streams

    static int compareStream(long hash, int version, long otherHash, int otherVersion) {
        int c = Long.compareUnsigned(hash, otherHash);
        return c != 0 ? c : Integer.compare(version, otherVersion);
    }

    /** @return the index of the first entry of the fence block that holds the first entry at or after (hash, version) */
    private long fenceBefore(Loaded l, long hash, int version) {
        int lo = 0;
        int hi = l.streamFenceHash.length - 1;
        while (lo < hi) { // the last fence < key (or 0)
            int mid = (lo + hi + 1) >>> 1;
            if (compareStream(l.streamFenceHash[mid], l.streamFenceVersion[mid], hash, version) < 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return (long) lo * streamFence;
    }

    /** Reads the stream entries [i, i + n) ({@link #STREAM_ENTRY} bytes each) for a merge: positional. */
    ByteBuffer streamEntries(long i, int n) {
        requireCurrentFormat();
        return reader.scan(streamsAt() + i * STREAM_ENTRY, n * STREAM_ENTRY);
    }

    /** Reads the stream entries [i, i + n) for a look-up: through the mapping. */
    private ByteBuffer lookUpStreamEntries(long i, int n) {
        requireCurrentFormat();
        return reader.read(streamsAt() + i * STREAM_ENTRY, n * STREAM_ENTRY);
    }

    private void requireCurrentFormat() {
        if (format != 2) {
            // the open rebuilds runs of the first format before anything reads their stream entries
            throw new IllegalStateException("index file " + path + " is in the first run format (RWRUN001): its stream"
                    + " entries carry no record offsets");
        }
    }

    /**
     * The entries of one stream hash with versions in [fromVersion, toVersion], in order.
     *
     * @param out receives each entry
     */
    void streamEntries(long hash, int fromVersion, int toVersion, StreamSink out) {
        if (streams == 0) {
            return;
        }
        Loaded l = loaded();
        if (!l.streamFilter.mayContain(hash)) {
            return;
        }
        // One pass from the fence block on: the block that finds the first entry is the one that holds it
        // (a look-up of a short stream reads one block, not the same block twice).
        long i = fenceBefore(l, hash, fromVersion);
        while (i < streams) {
            int n = (int) Math.min(streamFence, streams - i);
            ByteBuffer b = lookUpStreamEntries(i, n);
            for (int k = 0; k < n; k++) {
                int at = k * STREAM_ENTRY;
                long h = b.getLong(at);
                int version = b.getInt(at + 8);
                if (compareStream(h, version, hash, fromVersion) < 0) {
                    continue;
                }
                if (h != hash || version > toVersion) {
                    return;
                }
                out.accept(version, b.getInt(at + 12), b.getInt(at + 16), b.getInt(at + 20));
            }
            i += n;
        }
    }

    /** The entries of one stream hash from the highest version down, until the sink says stop. */
    void streamEntriesDescending(long hash, StreamStop out) {
        if (streams == 0) {
            return;
        }
        Loaded l = loaded();
        if (!l.streamFilter.mayContain(hash)) {
            return;
        }
        // Forward from the fence block to the first entry past the hash, then down from there, starting in the
        // block already read: the last versions of a short stream cost one block read.
        long i = fenceBefore(l, hash, Integer.MAX_VALUE);
        long start;
        int k;
        ByteBuffer b;
        do {
            start = i;
            int n = (int) Math.min(streamFence, streams - i);
            b = lookUpStreamEntries(i, n);
            k = 0;
            while (k < n && compareStream(b.getLong(k * STREAM_ENTRY), b.getInt(k * STREAM_ENTRY + 8), hash,
                    Integer.MAX_VALUE) < 0) {
                k++;
            }
            i += n;
        } while (k == (int) (i - start) && i < streams);
        while (true) { // entries [start, start + k) are the ones below the end, b holds them
            for (int j = k - 1; j >= 0; j--) {
                int at = j * STREAM_ENTRY;
                if (b.getLong(at) != hash) {
                    return;
                }
                if (out.accept(b.getInt(at + 8), b.getInt(at + 12), b.getInt(at + 16), b.getInt(at + 20))) {
                    return;
                }
            }
            if (start == 0) {
                return;
            }
            k = (int) Math.min(streamFence, start);
            start -= k;
            b = lookUpStreamEntries(start, k);
        }
    }

    /** Receives stream entries. */
    interface StreamSink {
        /**
         * @param offset the record's raw offset entry (bit 31: batch end)
         * @param length the record's length in bytes, header included
         */
        void accept(int version, int position, int offset, int length);
    }

    /** Receives stream entries; returns true to stop. */
    interface StreamStop {
        /** The parameters are {@link StreamSink#accept}'s. */
        boolean accept(int version, int position, int offset, int length);
    }

    // ---------------------------------------------------------------- time

    /**
     * @param second the instant's epoch second
     * @param nano its nanosecond
     * @return the last sampled position whose recordedAt is before the instant, or {@code from} when none
     */
    int lastSampleBefore(long second, int nano) {
        Loaded l = loaded();
        int lo = 0;
        int hi = l.sampleSecond.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(l.sampleSecond[mid], second);
            if (c == 0) {
                c = Integer.compare(l.sampleNano[mid], nano);
            }
            if (c < 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return from;
        }
        return (int) ((ceilDiv(from, SAMPLE) + found) * SAMPLE);
    }

    /** Copies this run's samples into the arrays from {@code at} (for a merge). */
    void samplesInto(long[] second, int[] nano, int at) {
        int n = samples(from, to);
        ByteBuffer b = reader.scan(samplesAt(), 12 * n);
        for (int i = 0; i < n; i++) {
            second[at + i] = b.getLong();
            nano[at + i] = b.getInt();
        }
    }

    /** Reads every block of the file, checking each (verify, the scrub). */
    void checkAll() {
        reader.checkAll();
    }

    void close() {
        reader.close();
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + from + ", " + to + ")";
    }

    // ---------------------------------------------------------------- writing

    /** Id entries in id order. */
    interface IdCursor {
        boolean next();

        long msb();

        long lsb();

        int position();
    }

    /** Stream entries in (hash, version, position) order. */
    interface StreamCursor {
        boolean next();

        long hash();

        int version();

        int position();

        /** @return the record's raw offset entry (bit 31: batch end) */
        int offset();

        /** @return the record's length in bytes, header included */
        int length();
    }

    /** Offset entries of the positions [from, to), in order. */
    interface OffsetCursor {
        int next();
    }

    /**
     * What a new run holds, given as cursors over sorted entries.
     *
     * @param from the first position covered
     * @param to the end of the range covered
     * @param fromOffset the offset of {@code from} in its segment
     * @param offsets the offsets of [from, to)
     * @param ids the id entries, sorted, {@code idCount} of them
     * @param streams the stream entries, sorted, {@code streamCount} of them
     * @param streamKeys the distinct stream hashes (or an upper bound), for the filter's size
     * @param newStreams the streams that begin in the range
     * @param sampleSecond the recordedAt seconds of the sampled positions of the range
     * @param sampleNano their nanoseconds
     * @param firstSecond the recordedAt of {@code from}: seconds
     * @param firstNano and nanoseconds
     * @param lastSecond the recordedAt of {@code to - 1}: seconds
     * @param lastNano and nanoseconds
     */
    record Contents(int from, int to, long fromOffset, OffsetCursor offsets, long idCount, IdCursor ids,
                    long streamCount, StreamCursor streams, long streamKeys, long newStreams, long[] sampleSecond,
                    int[] sampleNano, long firstSecond, int firstNano, long lastSecond, int lastNano) {
    }

    /**
     * Writes a run: a temporary file, forced, then renamed; the directory is forced by the caller (the
     * index snapshot that names it follows).
     *
     * @return the open run
     */
    static Run write(Path dir, long generation, Contents c) throws IOException {
        if (c.sampleSecond().length != samples(c.from(), c.to())) {
            throw new IllegalStateException("samples " + c.sampleSecond().length + " for [" + c.from() + ", " + c.to() + ")");
        }
        Path path = dir.resolve(fileName(c.from(), c.to(), generation));
        Path tmp = dir.resolve(path.getFileName() + ".tmp");
        long length;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            BlockFile.Writer w = new BlockFile.Writer(ch);
            w.put(MAGIC);
            for (int p = c.from(); p < c.to(); p++) {
                w.putInt(c.offsets().next());
            }
            Bloom idFilter = Bloom.forKeys(c.idCount());
            GrowingLongs idFences = new GrowingLongs();
            long minMsb = 0;
            long minLsb = 0;
            long maxMsb = 0;
            long maxLsb = 0;
            long n = 0;
            while (c.ids().next()) {
                long msb = c.ids().msb();
                long lsb = c.ids().lsb();
                if (n == 0) {
                    minMsb = msb;
                    minLsb = lsb;
                }
                if (n % FENCE == 0) {
                    idFences.add(msb);
                    idFences.add(lsb);
                }
                maxMsb = msb;
                maxLsb = lsb;
                w.putLong(msb);
                w.putLong(lsb);
                w.putInt(c.ids().position());
                idFilter.add(Bloom.hashId(msb, lsb));
                n++;
            }
            if (n != c.idCount()) {
                throw new IllegalStateException("run " + path + ": " + n + " ids where " + c.idCount() + " were announced");
            }
            Bloom streamFilter = Bloom.forKeys(c.streamKeys());
            GrowingLongs streamFences = new GrowingLongs();
            long m = 0;
            while (c.streams().next()) {
                long hash = c.streams().hash();
                if (m % STREAM_FENCE == 0) {
                    streamFences.add(hash);
                    streamFences.add(c.streams().version());
                }
                int recordLength = c.streams().length();
                if (recordLength < RecordCodec.HEADER + RecordCodec.MIN_BODY
                        || recordLength > RecordCodec.HEADER + RecordCodec.MAX_BODY) {
                    throw new IllegalStateException("run " + path + ": global position " + c.streams().position()
                            + " has a record length of " + recordLength);
                }
                w.putLong(hash);
                w.putInt(c.streams().version());
                w.putInt(c.streams().position());
                w.putInt(c.streams().offset());
                w.putInt(recordLength);
                streamFilter.add(hash);
                m++;
            }
            if (m != c.streamCount()) {
                throw new IllegalStateException("run " + path + ": " + m + " stream entries where " + c.streamCount()
                        + " were announced");
            }
            for (int i = 0; i < idFences.size; i++) {
                w.putLong(idFences.values[i]);
            }
            for (int i = 0; i < streamFences.size; i += 2) {
                w.putLong(streamFences.values[i]);
                w.putInt((int) streamFences.values[i + 1]);
            }
            for (int i = 0; i < c.sampleSecond().length; i++) {
                w.putLong(c.sampleSecond()[i]);
                w.putInt(c.sampleNano()[i]);
            }
            for (long word : idFilter.words) {
                w.putLong(word);
            }
            for (long word : streamFilter.words) {
                w.putLong(word);
            }
            w.putLong(c.from());
            w.putLong(c.to());
            w.putLong(c.fromOffset());
            w.putLong(n);
            w.putLong(m);
            w.putLong(c.streamKeys());
            w.putLong(c.newStreams());
            w.putLong(minMsb);
            w.putLong(minLsb);
            w.putLong(maxMsb);
            w.putLong(maxLsb);
            w.putLong(c.firstSecond());
            w.putLong(c.lastSecond());
            w.putLong(0); // reserved
            w.putLong(0); // reserved
            w.putInt(c.firstNano());
            w.putInt(c.lastNano());
            w.put(END);
            length = w.finish();
            ch.force(false);
        }
        CrashPoints.reached("run written");
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CrashPoints.reached("run renamed");
        return open(path, length);
    }

    /** A growing array of longs. */
    static final class GrowingLongs {
        long[] values = new long[64];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }
}
