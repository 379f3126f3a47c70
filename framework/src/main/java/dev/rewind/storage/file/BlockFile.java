package dev.rewind.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The checksummed container of every index file: a stream of logical bytes cut into 4 KiB blocks, each
 * block 4092 bytes of content followed by the CRC32C of those bytes. A reader checks the checksum of
 * every block it reads, so a damaged index file is found where it is read and never believed
 * ({@link Damaged}); nothing needs to read a whole file to trust a part of it.
 */
final class BlockFile {
    static final int BLOCK = 4096;
    static final int PAYLOAD = BLOCK - 4;

    private BlockFile() {
    }

    /** An index file failed a check: its block checksum, or the shape its footer says it has. */
    static final class Damaged extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Path file;

        Damaged(Path file, String detail) {
            super("index file " + file + " is damaged (" + detail + ")", null, false, false);
            this.file = file;
        }
    }

    /** @return the size on disk of a file holding {@code logical} bytes */
    static long physicalSize(long logical) {
        return (logical + PAYLOAD - 1) / PAYLOAD * BLOCK;
    }

    /** Writes logical bytes; the last block is padded with zeros. Not thread-safe. */
    static final class Writer {
        private final FileChannel channel;
        private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
        private final CRC32C crc = new CRC32C();
        private long written;

        Writer(FileChannel channel) {
            this.channel = channel;
        }

        /** @return the logical bytes written so far */
        long position() {
            return written + block.position();
        }

        void putLong(long v) throws IOException {
            if (block.position() + 8 < PAYLOAD) {
                block.putLong(v);
                return;
            }
            for (int i = 56; i >= 0; i -= 8) {
                put((byte) (v >>> i));
            }
        }

        void putInt(int v) throws IOException {
            if (block.position() + 4 < PAYLOAD) {
                block.putInt(v);
                return;
            }
            for (int i = 24; i >= 0; i -= 8) {
                put((byte) (v >>> i));
            }
        }

        void put(byte b) throws IOException {
            block.put(b);
            if (block.position() == PAYLOAD) {
                flushBlock();
            }
        }

        void put(byte[] bytes) throws IOException {
            for (byte b : bytes) {
                put(b);
            }
        }

        private void flushBlock() throws IOException {
            int n = block.position();
            for (int i = n; i < PAYLOAD; i++) {
                block.put(i, (byte) 0);
            }
            crc.reset();
            crc.update(block.array(), 0, PAYLOAD);
            block.putInt(PAYLOAD, (int) crc.getValue());
            block.clear();
            long at = written / PAYLOAD * BLOCK;
            while (block.hasRemaining()) {
                at += channel.write(block, at);
            }
            block.clear();
            written += n;
        }

        /** Writes the last, partial block; returns the logical length. */
        long finish() throws IOException {
            long length = position();
            if (block.position() > 0) {
                flushBlock();
            }
            return length;
        }
    }

    /**
     * Reads logical bytes, checking each block read. Thread-safe. Look-ups ({@link #read}) go through a
     * memory mapping of the file, made at the first one ({@link MappedFile}: a read costs no system call,
     * where a stream look-up's positional index read was a third of its time); bulk reads ({@link #scan}: the
     * open's fences and filters, merges, checks) stay positional reads, so that a file only merged or
     * checked is never mapped and a merge's reads take no page faults beside the appenders.
     */
    static final class Reader implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final long length;
        /** Made at the first look-up; none where it could not be made: positional reads. */
        private final MappedFile.Lazy mapping;

        Reader(Path path, FileChannel channel, long length) {
            this(path, channel, length, MappedFile.CHUNK);
        }

        /** @param chunk the size of one mapping, a multiple of {@link #BLOCK} */
        Reader(Path path, FileChannel channel, long length, int chunk) {
            if (chunk <= 0 || chunk % BLOCK != 0) {
                throw new IllegalArgumentException("a mapping's size must be a positive multiple of " + BLOCK);
            }
            this.path = path;
            this.channel = channel;
            this.length = length;
            this.mapping = new MappedFile.Lazy(() -> MappedFile.map(path, channel, physicalSize(length), chunk));
        }

        Path path() {
            return path;
        }

        long length() {
            return length;
        }

        FileChannel channel() {
            return channel;
        }

        /** @return whether look-ups read this file through a mapping (false before the first, or where none could be made) */
        boolean mapped() {
            return mapping.current() != null;
        }

        /**
         * A look-up's read of {@code len} logical bytes from {@code at} (big-endian), through the mapping: a
         * buffer of its own, positioned at 0.
         */
        ByteBuffer read(long at, int len) {
            check(at, len);
            long firstBlock = at / PAYLOAD;
            long lastBlock = len == 0 ? firstBlock : (at + len - 1) / PAYLOAD;
            int count = (int) (lastBlock - firstBlock + 1);
            int inBlock = (int) (at % PAYLOAD);
            MappedFile m = mapping.get();
            if (m != null) {
                ByteBuffer b;
                try {
                    b = m.read(firstBlock * BLOCK, count * BLOCK,
                            (map, base) -> readMapped(map, base, count, inBlock, len, firstBlock));
                } catch (InternalError e) {
                    throw new Damaged(path, "it could not be read where it is mapped (" + e.getMessage() + ")");
                }
                if (b != null) {
                    return b;
                }
            }
            return readPositional(firstBlock, count, inBlock, len);
        }

        /** A bulk read of {@code len} logical bytes from {@code at}, positional, as {@link #read} returns them. */
        ByteBuffer scan(long at, int len) {
            check(at, len);
            long firstBlock = at / PAYLOAD;
            long lastBlock = len == 0 ? firstBlock : (at + len - 1) / PAYLOAD;
            return readPositional(firstBlock, (int) (lastBlock - firstBlock + 1), (int) (at % PAYLOAD), len);
        }

        private void check(long at, int len) {
            if (at < 0 || len < 0 || at + len > length) {
                throw new Damaged(path, "a read of " + len + " bytes at " + at + " passes its length " + length);
            }
        }

        private ByteBuffer readMapped(MappedByteBuffer m, int base, int count, int inBlock, int len, long firstBlock) {
            CRC32C crc = new CRC32C();
            for (int b = 0; b < count; b++) {
                int block = base + b * BLOCK;
                crc.reset();
                crc.update(m.slice(block, PAYLOAD));
                if ((int) crc.getValue() != m.getInt(block + PAYLOAD)) {
                    throw new Damaged(path, "checksum mismatch in block " + (firstBlock + b));
                }
            }
            // copied out: nothing outside the read may touch the mapping, which the close may release after it
            byte[] out = new byte[len];
            int done = 0;
            for (int b = 0; done < len; b++) {
                int from = b == 0 ? inBlock : 0;
                int n = Math.min(PAYLOAD - from, len - done);
                m.get(base + b * BLOCK + from, out, done, n);
                done += n;
            }
            return ByteBuffer.wrap(out);
        }

        private ByteBuffer readPositional(long firstBlock, int count, int inBlock, int len) {
            byte[] blocks = new byte[count * BLOCK];
            ByteBuffer target = ByteBuffer.wrap(blocks);
            long pos = firstBlock * BLOCK;
            try {
                while (target.hasRemaining()) {
                    int n = channel.read(target, pos);
                    if (n < 0) {
                        throw new Damaged(path, "it ends at byte " + pos + ", before block " + (pos / BLOCK)
                                + " ends");
                    }
                    pos += n;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reading index file " + path + " failed", e);
            }
            CRC32C crc = new CRC32C();
            for (int b = 0; b < count; b++) {
                crc.reset();
                crc.update(blocks, b * BLOCK, PAYLOAD);
                if ((int) crc.getValue() != target.getInt(b * BLOCK + PAYLOAD)) {
                    throw new Damaged(path, "checksum mismatch in block " + (firstBlock + b));
                }
            }
            int end = inBlock + len;
            // what is asked of block b moves down over the checksums before it, in place: the logical bytes end up
            // contiguous from inBlock on, with no second array (a look-up's read is one block, or two)
            for (int b = 1; b < count; b++) {
                System.arraycopy(blocks, b * BLOCK, blocks, b * PAYLOAD, Math.min(PAYLOAD, end - b * PAYLOAD));
            }
            return ByteBuffer.wrap(blocks, inBlock, len).slice();
        }

        /** Closes the file; its mapping goes now, or when the last read inside it ends. */
        @Override
        public void close() {
            mapping.close();
            try {
                channel.close();
            } catch (IOException ignored) {
                // it was only read
            }
        }

        /** Reads every block, checking each (for verify and the scrub). */
        void checkAll() {
            long blocks = (length + PAYLOAD - 1) / PAYLOAD;
            for (long b = 0; b < blocks; b += 256) {
                long from = b * PAYLOAD;
                int len = (int) Math.min(256L * PAYLOAD, length - from);
                scan(from, len);
            }
        }
    }
}
