package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * What the indexes need of the log: one record read by position (to tell two streams whose names hash
 * alike apart, and to find an instant between two time samples), a record's length (for the stream
 * entries of a run being written), a range scanned to rebuild a damaged
 * run, the segments' first records for the index snapshot, and whether a range is durable before a
 * checkpoint may cover it.
 */
final class LogAccess {
    private volatile Supplier<Segment[]> segments;
    private IndexStore index;
    private volatile Durable durable = end -> true;

    /** Waits until every position below {@code end} is durable; false when it never will be (a failure). */
    interface Durable {
        boolean await(int end);
    }

    LogAccess(Supplier<Segment[]> segments) {
        this.segments = segments;
    }

    /** Reads the segments from the writer once the store is open. */
    void segments(Supplier<Segment[]> source) {
        this.segments = source;
    }

    void bind(IndexStore index) {
        this.index = index;
    }

    void durable(Durable d) {
        this.durable = d;
    }

    boolean awaitDurable(int end) {
        return durable.await(end);
    }

    Segment[] segments() {
        return segments.get();
    }

    /** The segment holding a position. */
    Segment segmentOf(long p) {
        Segment[] segs = segments.get();
        return segs[LogReader.segmentIndex(segs, p)];
    }

    /** Reads and checks the record at a position (the caller holds the storage's lock). */
    StoredSerializedEvent record(int p) {
        int raw = index.offsetEntry(p);
        return record(p, raw, recordLength(p, raw));
    }

    /**
     * The length of the record at a position, header included, from its header (one small read).
     *
     * @param raw its raw offset entry (bit 31: batch end)
     */
    int recordLength(int p, int raw) {
        long offset = raw & 0x7FFFFFFFL;
        Segment s = segmentOf(p);
        try {
            ByteBuffer header = ByteBuffer.allocate(RecordCodec.HEADER);
            readFully(s, header, offset);
            int bodyLength = header.getInt(0);
            if (bodyLength < RecordCodec.MIN_BODY || bodyLength > RecordCodec.MAX_BODY
                    || RecordCodec.lengthCheck(header.array(), 0) != header.getInt(4)) {
                throw corrupt(s, offset, p, "bad length");
            }
            return RecordCodec.HEADER + bodyLength;
        } catch (IOException e) {
            throw new UncheckedIOException("reading segment " + s.path + " at offset " + offset + " failed", e);
        }
    }

    /**
     * Reads and checks the record at a position whose place the index knows (a stream entry): one read.
     *
     * @param raw its raw offset entry (bit 31: batch end)
     * @param length its length, header included
     */
    StoredSerializedEvent record(int p, int raw, int length) {
        long offset = raw & 0x7FFFFFFFL;
        Segment s = segmentOf(p);
        if (length < RecordCodec.HEADER + RecordCodec.MIN_BODY || length > RecordCodec.HEADER + RecordCodec.MAX_BODY) {
            throw new IllegalStateException("the index gives the record at global position " + p + " a length of "
                    + length + " bytes");
        }
        try {
            ByteBuffer all = ByteBuffer.allocate(length);
            readFully(s, all, offset);
            int bodyLength = all.getInt(0);
            if (bodyLength != length - RecordCodec.HEADER || RecordCodec.lengthCheck(all.array(), 0) != all.getInt(4)) {
                throw corrupt(s, offset, p, "bad length");
            }
            if (RecordCodec.checksum(new java.util.zip.CRC32C(), all.array(), 0, all.capacity()) != all.getInt(8)) {
                throw corrupt(s, offset, p, "checksum mismatch");
            }
            StoredSerializedEvent r = RecordCodec.decode(all, 0, true);
            if (r.globalPosition() != p) {
                throw corrupt(s, offset, p, "it says global position " + r.globalPosition());
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("reading segment " + s.path + " at offset " + offset + " failed", e);
        }
    }

    private static void readFully(Segment s, ByteBuffer b, long at) throws IOException {
        s.io(ch -> {
            b.clear();
            long pos = at;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
            return null;
        });
        if (b.hasRemaining()) {
            throw new CorruptStoreException("segment " + s.path + " is shorter than its index says: it ends before offset "
                    + (at + b.capacity()));
        }
    }

    private static CorruptStoreException corrupt(Segment s, long offset, long p, String what) {
        return new CorruptStoreException("corrupt record in segment " + s.path + " at offset " + offset
                + " (global position " + p + "): " + what);
    }

    /** @return the body checksum of the first record of a segment, or 0 when it has none */
    static int firstChecksum(Segment s) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordCodec.HEADER);
        s.io(ch -> {
            header.clear();
            while (header.hasRemaining() && ch.read(header, header.position()) >= 0) {
                // fill
            }
            return null;
        });
        return header.hasRemaining() ? 0 : header.getInt(8);
    }

    /**
     * Scans positions [from, to) starting at {@code fromOffset} in the segment of {@code from}, checking
     * every record, across segments.
     *
     * @throws CorruptStoreException when a record fails its checks (the log is damaged, not the index)
     */
    void scan(int from, int to, long fromOffset, SegmentScanner.Sink sink) {
        Segment[] segs = segments.get();
        int si = LogReader.segmentIndex(segs, from);
        long position = from;
        long offset = fromOffset;
        try {
            while (position < to) {
                Segment s = segs[si];
                long start = offset;
                long first = position;
                SegmentScanner.Result r = s.io(ch -> SegmentScanner.scan(ch, start, first, 0, to, false, sink));
                if (r.nextPosition() < to && (r.problem() != null || si + 1 >= segs.length
                        || segs[si + 1].base != r.nextPosition())) {
                    String what = r.problem() != null ? r.problem().detail() : "the segment ends";
                    throw corrupt(s, r.validEnd(), r.nextPosition(), what);
                }
                position = r.nextPosition();
                offset = 0;
                si++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scanning the log from global position " + from + " failed", e);
        }
    }
}
