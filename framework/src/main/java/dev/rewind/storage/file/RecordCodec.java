package dev.rewind.storage.file;

import dev.rewind.Metadata;
import dev.rewind.spi.storage.StoredSerializedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one record (see docs/adr/0005-file-storage-format.md).
 *
 * <pre>
 * header (12 bytes): int bodyLength | int crc32c(bodyLength) | int crc32c(bodyLength bytes + body)
 * body: byte flags (bit 0: last record of its batch; bit 1: first record of a write that began after an
 *       fsync had returned) | long globalPosition | long streamVersion
 *       | long idMsb | long idLsb | long recordedAtSecond | int recordedAtNano | int schemaVersion
 *       | str streamId | str type | metadata | payload (the rest of the body)
 * str: unsigned varint length + UTF-8 bytes
 * metadata: byte presence (bit 0 correlation, bit 1 causation) | [str] | [str] | varint n | n x (str, str)
 * </pre>
 *
 * All integers are big-endian. The length has its own checksum so that a damaged length is told apart
 * from a record cut short by a crash.
 */
final class RecordCodec {
    static final int HEADER = 12;
    static final int FIXED_BODY = 1 + 8 + 8 + 16 + 8 + 4 + 4;
    static final int MIN_BODY = FIXED_BODY + 3;
    static final int MAX_BODY = 256 << 20;
    static final byte BATCH_END = 1;
    /**
     * Set on the first record of each write the group commit issues after an fsync returned: finding it
     * proves every record before it was durable before it was written (see docs/adr/0009).
     */
    static final byte WRITE_START = 2;

    private RecordCodec() {
    }

    /** A record ready to be written: its stored form and the encoded strings. */
    static final class Encoded {
        final StoredSerializedEvent record;
        final byte[] stream;
        final byte[] type;
        final byte[] correlation;
        final byte[] causation;
        final byte[][] values;
        final int bodyLength;

        Encoded(StoredSerializedEvent record, byte[] stream) {
            this.record = record;
            this.stream = stream;
            this.type = utf8(record.type());
            Metadata m = record.metadata();
            this.correlation = m.correlationId() == null ? null : utf8(m.correlationId());
            this.causation = m.causationId() == null ? null : utf8(m.causationId());
            this.values = new byte[m.values().size() * 2][];
            int i = 0;
            int size = FIXED_BODY + str(stream) + str(type) + 1 + str(correlation) + str(causation)
                    + varintSize(m.values().size());
            for (Map.Entry<String, String> e : m.values().entrySet()) {
                values[i] = utf8(e.getKey());
                values[i + 1] = utf8(e.getValue());
                size += str(values[i]) + str(values[i + 1]);
                i += 2;
            }
            long total = (long) size + record.payload().length;
            if (total > MAX_BODY) {
                throw new IllegalArgumentException("event " + record.eventId() + " is too large for the file storage: "
                        + total + " bytes encoded, at most " + MAX_BODY);
            }
            this.bodyLength = (int) total;
        }

        int size() {
            return HEADER + bodyLength;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int str(byte[] b) {
        return b == null ? 0 : varintSize(b.length) + b.length;
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /**
     * Writes the records of one batch, the last one flagged as the batch's end.
     *
     * @param batch the records, in order
     * @return the bytes of the whole batch
     */
    static byte[] encodeBatch(List<Encoded> batch) {
        int total = 0;
        for (Encoded e : batch) {
            total += e.size();
        }
        byte[] out = new byte[total];
        ByteBuffer bb = ByteBuffer.wrap(out);
        CRC32C crc = new CRC32C();
        for (int i = 0; i < batch.size(); i++) {
            encode(batch.get(i), i == batch.size() - 1, bb, crc);
        }
        return out;
    }

    private static void encode(Encoded e, boolean last, ByteBuffer bb, CRC32C crc) {
        int start = bb.position();
        StoredSerializedEvent r = e.record;
        bb.putInt(e.bodyLength);
        bb.putInt(lengthCheck(bb.array(), start));
        bb.putInt(0); // the checksum, filled in below
        bb.put(last ? BATCH_END : 0);
        bb.putLong(r.globalPosition());
        bb.putLong(r.streamVersion());
        bb.putLong(r.eventId().getMostSignificantBits());
        bb.putLong(r.eventId().getLeastSignificantBits());
        bb.putLong(r.recordedAt().getEpochSecond());
        bb.putInt(r.recordedAt().getNano());
        bb.putInt(r.schemaVersion());
        putStr(bb, e.stream);
        putStr(bb, e.type);
        bb.put((byte) ((e.correlation == null ? 0 : 1) | (e.causation == null ? 0 : 2)));
        if (e.correlation != null) {
            putStr(bb, e.correlation);
        }
        if (e.causation != null) {
            putStr(bb, e.causation);
        }
        putVarint(bb, e.values.length / 2);
        for (byte[] v : e.values) {
            putStr(bb, v);
        }
        bb.put(r.payload());
        bb.putInt(start + 8, checksum(crc, bb.array(), start, HEADER + e.bodyLength));
    }

    static int lengthCheck(byte[] buf, int at) {
        CRC32C c = new CRC32C();
        c.update(buf, at, 4);
        return (int) c.getValue();
    }

    /** The record checksum: over the length field and the body (everything but the two checksums). */
    static int checksum(CRC32C crc, byte[] buf, int at, int total) {
        crc.reset();
        crc.update(buf, at, 4);
        crc.update(buf, at + HEADER, total - HEADER);
        return (int) crc.getValue();
    }

    private static void putStr(ByteBuffer bb, byte[] s) {
        putVarint(bb, s.length);
        bb.put(s);
    }

    private static void putVarint(ByteBuffer bb, int v) {
        while ((v & ~0x7F) != 0) {
            bb.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        bb.put((byte) v);
    }

    /**
     * Decodes a record whose checksum has been checked.
     *
     * @param bb a buffer over the bytes
     * @param at where the record's header starts
     * @param withPayload false to skip copying the payload (index building)
     * @return the record
     * @throws IllegalArgumentException when the body does not parse (only possible for a bad writer)
     */
    static StoredSerializedEvent decode(ByteBuffer bb, int at, boolean withPayload) {
        int bodyLength = bb.getInt(at);
        int end = at + HEADER + bodyLength;
        ByteBuffer b = bb.duplicate();
        b.limit(end).position(at + HEADER + 1);
        long position = b.getLong();
        long version = b.getLong();
        UUID id = new UUID(b.getLong(), b.getLong());
        long second = b.getLong();
        int nano = b.getInt();
        int schema = b.getInt();
        String stream = getStr(b);
        String type = getStr(b);
        int presence = b.get();
        String correlation = (presence & 1) != 0 ? getStr(b) : null;
        String causation = (presence & 2) != 0 ? getStr(b) : null;
        int n = getVarint(b);
        Map<String, String> values = Map.of();
        if (n > 0) {
            values = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                values.put(getStr(b), getStr(b));
            }
        }
        byte[] payload = new byte[withPayload ? b.remaining() : 0];
        b.get(payload);
        if (nano < 0 || nano > 999_999_999) {
            throw new IllegalArgumentException("bad nanosecond " + nano);
        }
        return new StoredSerializedEvent(id, stream, version, position, type, schema, Instant.ofEpochSecond(second, nano),
                payload, new Metadata(correlation, causation, values));
    }

    /**
     * Flags the record at {@code at} as the first of a write and recomputes its checksum (the rest of
     * the record is unchanged).
     *
     * @param bytes encoded records
     * @param at where the record's header starts
     */
    static void markWriteStart(byte[] bytes, int at) {
        bytes[at + HEADER] |= WRITE_START;
        int bodyLength = ByteBuffer.wrap(bytes).getInt(at);
        ByteBuffer.wrap(bytes).putInt(at + 8, checksum(new CRC32C(), bytes, at, HEADER + bodyLength));
    }

    static boolean isWriteStart(ByteBuffer bb, int at) {
        return (bb.get(at + HEADER) & WRITE_START) != 0;
    }

    static boolean isBatchEnd(ByteBuffer bb, int at) {
        return (bb.get(at + HEADER) & BATCH_END) != 0;
    }

    static long idHigh(ByteBuffer bb, int at) {
        return bb.getLong(at + HEADER + 1 + 16);
    }

    static long idLow(ByteBuffer bb, int at) {
        return bb.getLong(at + HEADER + 1 + 24);
    }

    static long globalPosition(ByteBuffer bb, int at) {
        return bb.getLong(at + HEADER + 1);
    }

    private static String getStr(ByteBuffer b) {
        int len = getVarint(b);
        if (len > b.remaining()) {
            throw new IllegalArgumentException("string of " + len + " bytes past the end of the record");
        }
        String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }

    private static int getVarint(ByteBuffer b) {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int x = b.get();
            v |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                if (v < 0) {
                    throw new IllegalArgumentException("negative length");
                }
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
