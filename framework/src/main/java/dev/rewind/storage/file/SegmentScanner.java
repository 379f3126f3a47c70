package dev.rewind.storage.file;

import dev.rewind.spi.storage.StoredSerializedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads a segment from start to end in large chunks, checking every record's length and checksum and
 * that positions follow each other; stops at the first record that fails and says why. It never
 * writes: deciding what to do with a failure (truncate a torn tail, refuse to open) is the caller's.
 */
final class SegmentScanner {
    static final int CHUNK = 1 << 20;

    /** Why a scan stopped early. */
    enum Kind {
        /** The file ends inside a record, or only zeroes follow: what a crash mid-write leaves. */
        INCOMPLETE,
        /** The last record of the file is complete in length but its checksum fails: a torn write. */
        TORN_LAST,
        /** A record that fails its checks is followed by more data: damage, never a crash. */
        CORRUPT
    }

    /**
     * Where and why a scan stopped.
     *
     * @param kind the kind of failure
     * @param offset the offset of the record that failed
     * @param position the global position that record should have had
     * @param detail what failed
     */
    record Problem(Kind kind, long offset, long position, String detail) {
    }

    /**
     * The result of a scan.
     *
     * @param records the number of good records
     * @param validEnd the end offset of the last good record
     * @param batchEnd the end offset of the last good record that ends a batch
     * @param nextPosition the global position after the last good record
     * @param size the file's size
     * @param problem why the scan stopped before the end, or null
     * @param lastWriteStart the global position of the last good record that starts a write, or -1
     * @param batchEndPosition the global position after the last good record that ends a batch
     */
    record Result(long records, long validEnd, long batchEnd, long nextPosition, long size, Problem problem,
                  long lastWriteStart, long batchEndPosition) {
    }

    /** Receives each good record. */
    interface Sink {
        /**
         * @param record the record (payload left empty unless asked for)
         * @param offset its offset in the segment
         * @param batchEnd whether it ends its batch
         */
        void accept(StoredSerializedEvent record, long offset, boolean batchEnd);

        /**
         * A good record below the position from which records are decoded (already indexed).
         *
         * @param position its global position
         * @param offset its offset in the segment
         * @param batchEnd whether it ends its batch
         * @param idHigh the most significant bits of its event id
         * @param idLow the least significant bits of its event id
         */
        default void covered(long position, long offset, boolean batchEnd, long idHigh, long idLow) {
            throw new IllegalStateException("no record is covered");
        }
    }

    private SegmentScanner() {
    }

    static Result scan(FileChannel ch, long firstPosition, boolean withPayload, Sink sink) throws IOException {
        return scan(ch, firstPosition, 0, withPayload, sink);
    }

    /** Scans, decoding only the records from {@code decodeFrom} on (the others go to {@link Sink#covered}). */
    static Result scan(FileChannel ch, long firstPosition, long decodeFrom, boolean withPayload, Sink sink)
            throws IOException {
        return scan(ch, 0, firstPosition, decodeFrom, Long.MAX_VALUE, withPayload, sink);
    }

    /**
     * Scans from a record boundary that starts a batch ({@code startOffset}, holding {@code firstPosition}),
     * up to the end of the file or to {@code endPosition}, whichever comes first.
     */
    static Result scan(FileChannel ch, long startOffset, long firstPosition, long decodeFrom, long endPosition,
                       boolean withPayload, Sink sink) throws IOException {
        long size = ch.size();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size - startOffset, RecordCodec.HEADER))];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        CRC32C crc = new CRC32C();
        long bufStart = startOffset; // file offset of buf[0]
        int bufLen = 0;
        int p = 0;
        long position = firstPosition;
        long records = 0;
        long batchEnd = startOffset;
        long writeStart = -1;
        long batchEndPosition = firstPosition;
        while (true) {
            long offset = bufStart + p;
            int avail = bufLen - p;
            if (offset == size || position == endPosition) {
                return new Result(records, offset, batchEnd, position, size, null, writeStart, batchEndPosition);
            }
            int need = RecordCodec.HEADER;
            if (avail >= RecordCodec.HEADER) {
                int bodyLength = bb.getInt(p);
                if (RecordCodec.lengthCheck(buf, p) != bb.getInt(p + 4)) {
                    Kind kind = onlyZeroes(ch, offset, size) ? Kind.INCOMPLETE : Kind.CORRUPT;
                    return stop(records, batchEnd, batchEndPosition, position, size, writeStart, kind, offset, "length field checksum mismatch");
                }
                if (bodyLength < RecordCodec.MIN_BODY || bodyLength > RecordCodec.MAX_BODY) {
                    return stop(records, batchEnd, batchEndPosition, position, size, writeStart, Kind.CORRUPT, offset,
                            "impossible record length " + bodyLength);
                }
                need = RecordCodec.HEADER + bodyLength;
                if (offset + need > size) {
                    return stop(records, batchEnd, batchEndPosition, position, size, writeStart, Kind.INCOMPLETE, offset,
                            "record of " + need + " bytes runs past the end of the file");
                }
                if (avail >= need) {
                    if (RecordCodec.checksum(crc, buf, p, need) != bb.getInt(p + 8)) {
                        Kind kind = offset + need == size ? Kind.TORN_LAST : Kind.CORRUPT;
                        return stop(records, batchEnd, batchEndPosition, position, size, writeStart, kind, offset, "checksum mismatch");
                    }
                    long found = RecordCodec.globalPosition(bb, p);
                    if (found != position) {
                        return stop(records, batchEnd, batchEndPosition, position, size, writeStart, Kind.CORRUPT, offset,
                                "the record says global position " + found);
                    }
                    boolean end = RecordCodec.isBatchEnd(bb, p);
                    if (RecordCodec.isWriteStart(bb, p)) {
                        writeStart = position;
                    }
                    if (position < decodeFrom) {
                        sink.covered(position, offset, end, RecordCodec.idHigh(bb, p), RecordCodec.idLow(bb, p));
                    } else {
                        StoredSerializedEvent record;
                        try {
                            record = RecordCodec.decode(bb, p, withPayload);
                        } catch (RuntimeException e) {
                            return stop(records, batchEnd, batchEndPosition, position, size, writeStart, Kind.CORRUPT, offset,
                                    "undecodable record (" + e + ")");
                        }
                        sink.accept(record, offset, end);
                    }
                    p += need;
                    position++;
                    records++;
                    if (end) {
                        batchEnd = offset + need;
                        batchEndPosition = position;
                    }
                    continue;
                }
            }
            // not enough bytes buffered: keep the partial record, read more
            if (need > buf.length) {
                byte[] bigger = new byte[need];
                System.arraycopy(buf, p, bigger, 0, avail);
                buf = bigger;
                bb = ByteBuffer.wrap(buf);
            } else {
                System.arraycopy(buf, p, buf, 0, avail);
            }
            bufStart += p;
            p = 0;
            bufLen = avail;
            int read = readFully(ch, buf, bufLen, bufStart + bufLen, size);
            if (read == 0) { // fewer than a header's bytes remain
                return stop(records, batchEnd, batchEndPosition, position, size, writeStart, Kind.INCOMPLETE, bufStart,
                        "the file ends inside a record header");
            }
            bufLen += read;
        }
    }

    private static Result stop(long records, long batchEnd, long batchEndPosition, long position, long size,
                               long writeStart, Kind kind, long offset, String detail) {
        return new Result(records, offset, batchEnd, position, size, new Problem(kind, offset, position, detail),
                writeStart, batchEndPosition);
    }

    /**
     * Looks past damage for a sound record that starts a later write: one whose length and body checksums
     * hold at some offset after {@code from}, flagged {@link RecordCodec#WRITE_START}, at a global position
     * above {@code above}. Such a record was written only after an fsync covering everything before it
     * had returned, so the damage lies in acknowledged data.
     *
     * @return its global position, or -1 when there is none
     */
    static long laterWriteStart(FileChannel ch, long from, long above) throws IOException {
        long size = ch.size();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(0, size - from))];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        CRC32C crc = new CRC32C();
        long start = from;
        while (start + RecordCodec.HEADER <= size) {
            int len = readFully(ch, buf, 0, start, size);
            int last = len - RecordCodec.HEADER; // the last offset in buf where a whole header fits
            for (int i = 0; i <= last; i++) {
                if (RecordCodec.lengthCheck(buf, i) != bb.getInt(i + 4)) {
                    continue;
                }
                int bodyLength = bb.getInt(i);
                if (bodyLength < RecordCodec.MIN_BODY || bodyLength > RecordCodec.MAX_BODY
                        || start + i + RecordCodec.HEADER + bodyLength > size) {
                    continue;
                }
                byte[] record = new byte[RecordCodec.HEADER + bodyLength];
                if (readFully(ch, record, 0, start + i, start + i + record.length) != record.length) {
                    continue;
                }
                ByteBuffer rb = ByteBuffer.wrap(record);
                if (RecordCodec.checksum(crc, record, 0, record.length) == rb.getInt(8)
                        && RecordCodec.isWriteStart(rb, 0) && RecordCodec.globalPosition(rb, 0) > above) {
                    return RecordCodec.globalPosition(rb, 0);
                }
            }
            if (len < buf.length) {
                break;
            }
            start += last + 1;
        }
        return -1;
    }

    /** Fills buf from {@code from} up to its end or the file's end; returns the bytes read. */
    static int readFully(FileChannel ch, byte[] buf, int at, long fileOffset, long size) throws IOException {
        int want = (int) Math.min(buf.length - at, size - fileOffset);
        ByteBuffer target = ByteBuffer.wrap(buf, at, want);
        long pos = fileOffset;
        while (target.hasRemaining()) {
            int n = ch.read(target, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        return want - target.remaining();
    }

    private static boolean onlyZeroes(FileChannel ch, long from, long size) throws IOException {
        byte[] buf = new byte[(int) Math.min(CHUNK, size - from)];
        long pos = from;
        while (pos < size) {
            int n = readFully(ch, buf, 0, pos, Math.min(size, pos + buf.length));
            if (n == 0) {
                return true;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }
}
