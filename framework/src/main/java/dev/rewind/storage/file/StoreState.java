package dev.rewind.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The file {@code rewind.store}: it marks a directory as a Rewind store, and records how far the log
 * was acknowledged when the store was last opened for writing and when it was last closed. The log is
 * append-only, so a record below that point was acknowledged for good: recovery never cuts it
 * (docs/adr/0009-file-store-recovery.md).
 *
 * <p>Layout (41 bytes): magic {@code RWSTORE1} | int format | byte closed (1 after a clean close, 0
 * while open) | long acknowledged (the number of records acknowledged) | long segmentBase | long
 * segmentEnd (where the last of them ends) | int CRC32C of everything before it. Replaced atomically
 * (a temporary file, forced, renamed, the directory forced).
 *
 * @param closedCleanly whether the last writer closed the store
 * @param acknowledged records below this global position were acknowledged
 * @param segmentBase the base of the segment holding the last of them
 * @param segmentEnd the offset where the last of them ends in that segment
 */
record StoreState(boolean closedCleanly, long acknowledged, long segmentBase, long segmentEnd) {
    static final String FILE = "rewind.store";
    static final String TEMP = FILE + ".tmp";
    private static final byte[] MAGIC = "RWSTORE1".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int SIZE = 8 + 4 + 1 + 8 + 8 + 8 + 4;

    /**
     * What reading the file gave.
     *
     * @param state the state, or null when the file is damaged
     * @param problem why it is unusable, or null
     */
    record Loaded(StoreState state, String problem) {
    }

    /** @return null when the directory has no such file */
    static Loaded read(Path dir) {
        byte[] all;
        try {
            all = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new Loaded(null, "unreadable (" + e + ")");
        }
        if (all.length != SIZE || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Loaded(null, "not a Rewind store file (" + all.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        CRC32C crc = new CRC32C();
        crc.update(all, 0, SIZE - 4);
        if ((int) crc.getValue() != b.getInt(SIZE - 4)) {
            return new Loaded(null, "checksum mismatch");
        }
        int format = b.getInt(8);
        if (format != FORMAT) {
            return new Loaded(null, "format " + format + " (this release reads format " + FORMAT + ")");
        }
        byte closed = b.get(12);
        long acknowledged = b.getLong(13);
        long base = b.getLong(21);
        long end = b.getLong(29);
        if ((closed & ~1) != 0 || acknowledged < 0 || base < 0 || base > acknowledged || end < 0) {
            return new Loaded(null, "impossible values");
        }
        return new Loaded(new StoreState(closed == 1, acknowledged, base, end), null);
    }

    /** @return whether the file starts with this format's magic (it may still be damaged) */
    static boolean hasMagic(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return Arrays.equals(b.array(), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Replaces the file atomically and durably. */
    void write(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(MAGIC).putInt(FORMAT).put((byte) (closedCleanly ? 1 : 0)).putLong(acknowledged).putLong(segmentBase)
                .putLong(segmentEnd);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SIZE - 4);
        b.putInt((int) crc.getValue()).flip();
        Path tmp = dir.resolve(TEMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StoreDirectory.syncDirectory(dir);
    }

    /** @return where the acknowledged part of the log ends, in words */
    String describe() {
        return acknowledged + " events (through offset " + segmentEnd + " of segment " + Segment.fileName(segmentBase)
                + ") when it was last " + (closedCleanly ? "closed cleanly" : "opened for writing");
    }
}
