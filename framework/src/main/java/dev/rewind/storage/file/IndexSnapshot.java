package dev.rewind.storage.file;

import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The indexes saved at close ({@code index.snapshot}), so that the next open need not decode the records
 * they cover (it still checks every checksum, and that each covered record has the offset, event id and
 * batch end the snapshot says). Derived data: a missing, damaged or stale snapshot is ignored and the
 * indexes are rebuilt from the log, with the same answers.
 *
 * <p>Layout: magic {@code RWIDX001}, the index ({@link LogIndex#writeTo}), CRC32C of everything before it.
 */
final class IndexSnapshot {
    static final String FILE = "index.snapshot";
    private static final byte[] MAGIC = "RWIDX001".getBytes(StandardCharsets.US_ASCII);

    private IndexSnapshot() {
    }

    /**
     * What reading the snapshot gave.
     *
     * @param index the indexes, or null when unusable
     * @param problem why it is unusable, or null
     */
    record Loaded(LogIndex index, String problem) {
    }

    static void write(Path dir, LogIndex index) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            OutputStream raw = Channels.newOutputStream(ch); // not closed here: the channel is
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc),
                    1 << 16));
            out.write(MAGIC);
            index.writeTo(out);
            out.flush();
            ByteBuffer checksum = ByteBuffer.allocate(4).putInt(0, (int) crc.getValue());
            while (checksum.hasRemaining()) {
                ch.write(checksum);
            }
            ch.force(false);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StoreDirectory.syncDirectory(dir);
    }

    /** @return whether the file starts with the snapshot's magic (it may still be damaged) */
    static boolean hasMagic(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** @return null when there is no snapshot */
    static Loaded read(Path dir) {
        Path file = dir.resolve(FILE);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new Loaded(null, "unreadable (" + e + ")");
        }
        if (all.length < MAGIC.length + 8 || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Loaded(null, "not an index snapshot");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all).getInt(all.length - 4)) {
            return new Loaded(null, "checksum mismatch");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, MAGIC.length,
                    all.length - 4 - MAGIC.length));
            return new Loaded(LogIndex.readFrom(in, all.length / 20), null);
        } catch (IOException e) {
            return new Loaded(null, "undecodable (" + e.getMessage() + ")");
        }
    }
}
