package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads acknowledged records from the segment files: runs of consecutive positions in chunks of about
 * 1 MiB (one positional read per chunk, not per record), every record's checksums checked again, so a
 * record damaged after the open is never returned.
 */
final class LogReader {
    private LogReader() {
    }

    /**
     * What a reader needs, taken under the storage's read lock; the file reads happen after it is released.
     * Offsets below {@code head} never change, and a segment's readable end only grows.
     *
     * @param segments the segments, by base position
     * @param offsets the offset entries (bit 31: batch end) of positions from {@code base} on, at least up
     *     to the last position read and the one after it when that one is below {@code head}
     * @param base the position of {@code offsets[0]}
     * @param head the acknowledged head
     */
    record View(Segment[] segments, int[] offsets, int base, long head) {
        long offset(int p) {
            return offsets[p - base] & 0x7FFFFFFFL;
        }
    }

    /** Reads positions [from, to), all below the view's head, into {@code out}. */
    static void read(View v, int from, int to, List<StoredSerializedEvent> out, Path dir) {
        int p = from;
        byte[] buf = null;
        CRC32C crc = new CRC32C();
        while (p < to) {
            int si = segmentIndex(v.segments(), p);
            Segment s = v.segments()[si];
            long segEnd = si + 1 < v.segments().length ? v.segments()[si + 1].base : v.head();
            int runEnd = (int) Math.min(to, segEnd);
            while (p < runEnd) {
                long start = v.offset(p);
                int q = p;
                long end;
                do {
                    end = recordEnd(v, s, segEnd, q);
                    q++;
                } while (q < runEnd && recordEnd(v, s, segEnd, q) - start <= SegmentScanner.CHUNK);
                int len = (int) (end - start);
                if (buf == null || buf.length < len) {
                    buf = new byte[Math.max(len, Math.min(SegmentScanner.CHUNK, 64 * (runEnd - p) + 256))];
                }
                readChunk(s, buf, start, len, dir, si + 1 < v.segments().length); // sealed: a later one exists
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
                for (int k = p; k < q; k++) {
                    out.add(decodeChecked(s, bb, (int) (v.offset(k) - start), v.offset(k), k, len, crc));
                }
                p = q;
            }
        }
    }

    private static long recordEnd(View v, Segment s, long segEnd, int k) {
        return k + 1 < segEnd ? v.offset(k + 1) : s.readableEnd;
    }

    static int segmentIndex(Segment[] segs, long p) {
        int lo = 0;
        int hi = segs.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segs[mid].base <= p) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The longest read served from a segment's mapping. A stream's records (a few KiB) cost a system call
     * as a positional read, a good part of a stream read; the 1 MiB chunks of a replay do not, and stay
     * positional reads as they were measured.
     */
    static final int MAPPED_READ_MAX = 64 * 1024;

    private static void readChunk(Segment s, byte[] buf, long start, int len, Path dir, boolean sealed) {
        if (sealed && len <= MAPPED_READ_MAX) {
            try {
                if (s.copyMapped(buf, start, len)) {
                    return;
                }
            } catch (InternalError e) {
                throw new CorruptStoreException("segment " + s.path + " could not be read at offset " + start
                        + " where it is mapped (" + e.getMessage() + "): it is shorter than its index says");
            }
        }
        try {
            int n = s.io(ch -> SegmentScanner.readFully(ch, buf, 0, start, start + len));
            if (n < len) {
                throw new CorruptStoreException("segment " + s.path + " is shorter than its index says: expected "
                        + len + " bytes at offset " + start + ", found " + n);
            }
        } catch (ClosedChannelException e) {
            throw new EventStoreException("the file storage at " + dir + " is closed", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading segment " + s.path + " at offset " + start + " failed", e);
        }
    }

    private static StoredSerializedEvent decodeChecked(Segment s, ByteBuffer bb, int at, long offset, long position, int limit,
                                              CRC32C crc) {
        int bodyLength = limit - at >= RecordCodec.HEADER ? bb.getInt(at) : -1;
        if (bodyLength < RecordCodec.MIN_BODY || at + RecordCodec.HEADER + (long) bodyLength > limit
                || RecordCodec.lengthCheck(bb.array(), at) != bb.getInt(at + 4)) {
            throw corrupt(s, offset, position, "bad length", null);
        }
        if (RecordCodec.checksum(crc, bb.array(), at, RecordCodec.HEADER + bodyLength) != bb.getInt(at + 8)) {
            throw corrupt(s, offset, position, "checksum mismatch", null);
        }
        StoredSerializedEvent r;
        try {
            r = RecordCodec.decode(bb, at, true);
        } catch (RuntimeException e) {
            throw corrupt(s, offset, position, "undecodable (" + e + ")", e);
        }
        if (r.globalPosition() != position) {
            throw corrupt(s, offset, position, "it says global position " + r.globalPosition(), null);
        }
        return r;
    }

    private static CorruptStoreException corrupt(Segment s, long offset, long position, String what, Throwable cause) {
        return new CorruptStoreException("corrupt record in segment " + s.path + " at offset " + offset
                + " (global position " + position + "): " + what, cause);
    }
}
