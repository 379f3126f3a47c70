package dev.rewind.storage.file;

import dev.rewind.EventStoreException;
import dev.rewind.spi.SnapshotStorage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots kept as files, one per stream (the latest), in a {@code snapshots/} directory: next to the
 * file storage's log when given its data directory ({@link #in(Path)}).
 *
 * <p>A file is written to a temporary file and moved into place atomically, so a reader sees the old
 * snapshot or the new one, never half of one. Each file carries a checksum; a file that is damaged,
 * truncated or for another stream is logged and ignored (a snapshot is only a cache: the aggregate is
 * then loaded from its whole stream). No fsync: a snapshot lost in a crash costs a longer load only.
 *
 * <p>File layout: magic {@code RWSNAP01}, stream id (UTF-8, length-prefixed), stream version, state
 * version tag (UTF-8, length-prefixed), state (length-prefixed), CRC32C of everything before it.
 */
public final class FileSnapshotStorage implements SnapshotStorage {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStorage.class);
    private static final byte[] MAGIC = "RWSNAP01".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_NAME_PREFIX = 60;

    private final Path directory;
    private final Object writeLock = new Object();

    private FileSnapshotStorage(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the snapshot directory " + directory, e);
        }
    }

    /**
     * @param dataDirectory the file storage's data directory
     * @return a snapshot storage in its {@code snapshots/} subdirectory (created when missing)
     */
    public static FileSnapshotStorage in(Path dataDirectory) {
        return new FileSnapshotStorage(Objects.requireNonNull(dataDirectory, "dataDirectory").resolve("snapshots"));
    }

    /**
     * @param directory the directory that holds the snapshot files directly
     * @return a snapshot storage in that directory (created when missing)
     */
    public static FileSnapshotStorage atDirectory(Path directory) {
        return new FileSnapshotStorage(Objects.requireNonNull(directory, "directory"));
    }

    /** @return the directory holding the snapshot files */
    public Path directory() {
        return directory;
    }

    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        Path target = fileOf(snapshot.streamId());
        synchronized (writeLock) {
            Optional<Snapshot> existing = load(snapshot.streamId());
            if (existing.isPresent() && existing.get().streamVersion() > snapshot.streamVersion()) {
                return; // a newer snapshot is already there
            }
            try {
                Path tmp = Files.createTempFile(directory, ".snapshot-", ".tmp");
                try {
                    Files.write(tmp, encode(snapshot));
                    move(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new EventStoreException("cannot write the snapshot of stream '" + snapshot.streamId()
                        + "' to " + target + ": " + e.getMessage(), e);
            }
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public Optional<Snapshot> load(String streamId) {
        Path file = fileOf(Objects.requireNonNull(streamId, "streamId"));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read snapshot file {}, ignoring it: {}", file, e.toString());
            return Optional.empty();
        }
        try {
            Snapshot s = decode(bytes);
            if (!s.streamId().equals(streamId)) {
                LOG.warn("snapshot file {} holds stream '{}', not '{}': ignoring it", file, s.streamId(), streamId);
                return Optional.empty();
            }
            return Optional.of(s);
        } catch (RuntimeException e) {
            LOG.warn("snapshot file {} is damaged, ignoring it: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * @param streamId a stream
     * @return the file its snapshot is kept in: a readable prefix of the id and a hash of the whole id
     */
    Path fileOf(String streamId) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < streamId.length() && name.length() < MAX_NAME_PREFIX; i++) {
            char c = streamId.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            name.append(safe ? c : '_');
        }
        return directory.resolve(name + "." + hash(streamId) + ".snap");
    }

    private static String hash(String streamId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(streamId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static byte[] encode(Snapshot s) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(s.state().length + 128);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(MAGIC);
            writeBytes(out, s.streamId().getBytes(StandardCharsets.UTF_8));
            out.writeLong(s.streamVersion());
            writeBytes(out, s.stateVersion().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, s.state());
            CRC32C crc = new CRC32C();
            crc.update(buf.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static Snapshot decode(byte[] bytes) {
        if (bytes.length < MAGIC.length + 4) {
            throw new IllegalArgumentException("too short (" + bytes.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not a snapshot file (bad magic)");
        }
        String streamId = new String(readBytes(in), StandardCharsets.UTF_8);
        long version = in.getLong();
        String stateVersion = new String(readBytes(in), StandardCharsets.UTF_8);
        byte[] state = readBytes(in);
        if (in.remaining() != 4) {
            throw new IllegalArgumentException("unexpected " + (in.remaining() - 4) + " trailing bytes");
        }
        return new Snapshot(streamId, version, stateVersion, state);
    }

    private static byte[] readBytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining() - 4) {
            throw new IllegalArgumentException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
