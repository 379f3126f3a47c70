package dev.rewind.storage.file;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.ProjectionStore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The {@link ProjectionStore} of a file store: a {@code projections/} directory inside the store's
 * directory, created at the first save. One file per runner holds its whole {@link Checkpoint}, replaced
 * atomically (temporary file, fsync, rename, directory fsync), so a crash leaves the old checkpoint or
 * the new one; past states are files in a directory per runner, written the same way.
 *
 * <p>File layout ({@code <name>.<hash>.ckpt}, and {@code <name>.<hash>.history/<position>.hist}): magic
 * {@code RWPROJ01}; the header (length-prefixed UTF-8 JSON: name, version, origin, position, event id, count,
 * hash, high-water mark, parked events, skipped positions, decisions, when saved); the snapshot
 * (length-prefixed, -1 for none); a CRC32C of everything before it. A file that fails a check is
 * reported as a {@link CorruptStoreException} naming it, never read as if sound.
 *
 * <p>It belongs to the {@link FileStorage} that hosts it and follows its access: on a store opened
 * read-only every write is refused and nothing is created. The store directory's rules recognise these
 * files by name and magic, so {@code FileStorage.deleteStore} removes them with the rest.
 */
public final class FileProjectionStore implements ProjectionStore {
    /** The directory, inside the store's, that holds the files. */
    static final String DIRECTORY = "projections";
    private static final byte[] MAGIC = "RWPROJ01".getBytes(StandardCharsets.US_ASCII);
    private static final String CHECKPOINT = ".ckpt";
    private static final String HISTORY_DIR = ".history";
    private static final String HISTORY = ".hist";
    private static final Pattern TEMP = Pattern.compile("\\.(ckpt|hist)-.*\\.tmp");
    private static final Pattern HISTORY_FILE = Pattern.compile("\\d{20}\\.hist");
    private static final int MAX_NAME_PREFIX = 60;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Path directory;
    private final boolean readOnly;
    private final Object writeLock = new Object();
    /** The past states listed so far, by path (see {@link Listed}). */
    private final ConcurrentHashMap<Path, Listed> listed = new ConcurrentHashMap<>();

    FileProjectionStore(Path storeDirectory, boolean readOnly) {
        this.directory = storeDirectory.resolve(DIRECTORY);
        this.readOnly = readOnly;
    }

    /** @return the directory holding the files (it may not exist yet) */
    public Path directory() {
        return directory;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public Optional<Checkpoint> load(String name) {
        return read(checkpointFile(Objects.requireNonNull(name, "name")), name);
    }

    /** Reads the header only; a file whose header does not read is read whole, which reports its damage. */
    @Override
    public Optional<HistoryEntry> checkpointEntry(String name) {
        Path file = checkpointFile(Objects.requireNonNull(name, "name"));
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            Header h = readHeader(file);
            return Optional.of(new HistoryEntry(h.position(), h.version(), Math.max(0, h.snapshotLength())));
        } catch (IOException | RuntimeException damaged) {
            return ProjectionStore.super.checkpointEntry(name);
        }
    }

    @Override
    public void save(Checkpoint checkpoint) {
        write(checkpointFile(checkpoint.name()), checkpoint, CHECKPOINT);
    }

    @Override
    public void saveHistory(Checkpoint pastState) {
        write(historyDirectory(pastState.name()).resolve(historyName(pastState.position())), pastState, HISTORY);
    }

    @Override
    public List<HistoryEntry> history(String name) {
        Path dir = historyDirectory(Objects.requireNonNull(name, "name"));
        List<HistoryEntry> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        for (String file : names(dir)) {
            if (!HISTORY_FILE.matcher(file).matches()) {
                continue;
            }
            Path p = dir.resolve(file);
            long position = Long.parseLong(file.substring(0, 20));
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Listed known = listed.get(p);
                if (known != null && known.matches(a)) {
                    out.add(known.entry); // a past state is immutable: the same file, the same header
                    continue;
                }
                Header h = readHeader(p);
                // a state kept without a snapshot is stored with length -1; listed, it holds 0 bytes (as in the other stores)
                HistoryEntry e = new HistoryEntry(position, h.version, Math.max(0, h.snapshotLength));
                listed.put(p, new Listed(a.fileKey(), a.size(), a.lastModifiedTime().toMillis(), e));
                out.add(e);
            } catch (IOException | RuntimeException damaged) {
                // listed as unusable: loadHistory reports the damage if it is ever chosen
                listed.remove(p);
                out.add(new HistoryEntry(position, "", 0));
            }
        }
        out.sort((a, b) -> Long.compare(a.position(), b.position()));
        return out;
    }

    /**
     * A past state's file as it was listed: a temporal query lists them all, and reading the header of each
     * (open, read, JSON) cost more than the query's own work. Rewritten at the same path (a rebuild of another
     * version), the file is another file (a new inode by the atomic rename, another size or time): read again.
     */
    private record Listed(Object fileKey, long size, long modifiedMillis, HistoryEntry entry) {
        boolean matches(BasicFileAttributes a) {
            return fileKey != null && fileKey.equals(a.fileKey()) && size == a.size()
                    && modifiedMillis == a.lastModifiedTime().toMillis();
        }
    }

    @Override
    public Optional<Checkpoint> loadHistory(String name, long position) {
        return read(historyDirectory(Objects.requireNonNull(name, "name")).resolve(historyName(position)), name);
    }

    @Override
    public void deleteHistory(String name, long position) {
        refuseIfReadOnly();
        try {
            Path file = historyDirectory(name).resolve(historyName(position));
            listed.remove(file);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new EventStoreException("cannot delete the past state of '" + name + "' at position " + position
                    + " in " + historyDirectory(name) + ": " + e, e);
        }
    }

    @Override
    public void delete(String name) {
        refuseIfReadOnly();
        synchronized (writeLock) {
            try {
                Path dir = historyDirectory(name);
                listed.keySet().removeIf(p -> p.startsWith(dir));
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    for (String f : names(dir)) {
                        Files.delete(dir.resolve(f));
                    }
                    Files.delete(dir);
                }
                Files.deleteIfExists(checkpointFile(name));
            } catch (IOException e) {
                throw new EventStoreException("cannot delete what " + directory + " keeps for '" + name + "': " + e, e);
            }
        }
    }

    // ---------------------------------------------------------------- files

    private Path checkpointFile(String name) {
        return directory.resolve(fileStem(name) + CHECKPOINT);
    }

    private Path historyDirectory(String name) {
        return directory.resolve(fileStem(name) + HISTORY_DIR);
    }

    private static String historyName(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("a past state is after an event: position must be 0 or more, was " + position);
        }
        return String.format("%020d", position) + HISTORY;
    }

    /** A readable prefix of the name and a hash of the whole name: any name gives a safe, unique file name. */
    private static String fileStem(String name) {
        StringBuilder stem = new StringBuilder();
        for (int i = 0; i < name.length() && stem.length() < MAX_NAME_PREFIX; i++) {
            char c = name.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            stem.append(safe ? c : '_');
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return stem + "." + HexFormat.of().formatHex(d, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void refuseIfReadOnly() {
        if (readOnly) {
            throw new EventStoreException("the projection store in " + directory + " belongs to a store opened read-only:"
                    + " it changes nothing");
        }
    }

    private void write(Path target, Checkpoint c, String kind) {
        refuseIfReadOnly();
        byte[] bytes = encode(c);
        synchronized (writeLock) {
            try {
                Path parent = target.getParent();
                if (!Files.isDirectory(parent)) {
                    Files.createDirectories(parent);
                    StoreDirectory.syncDirectory(parent.getParent());
                }
                Path tmp = Files.createTempFile(parent, kind + "-", ".tmp");
                try {
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        ByteBuffer buf = ByteBuffer.wrap(bytes);
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        ch.force(true);
                    }
                    move(tmp, target);
                    StoreDirectory.syncDirectory(parent);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new EventStoreException("cannot save the checkpoint of '" + c.name() + "' to " + target + ": " + e, e);
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

    private static Optional<Checkpoint> read(Path file, String name) {
        Checkpoint c;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            c = decode(ch, ch.size());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CorruptStoreException("cannot read the checkpoint file " + file + " of '" + name + "': " + e, e);
        } catch (RuntimeException e) {
            throw new CorruptStoreException("the checkpoint file " + file + " of '" + name + "' is damaged: "
                    + e.getMessage(), e);
        }
        if (!c.name().equals(name)) {
            throw new CorruptStoreException("the checkpoint file " + file + " holds '" + c.name() + "', not '" + name + "'");
        }
        return Optional.of(c);
    }

    // ---------------------------------------------------------------- format

    /** The header, as JSON. */
    record Header(String name, String version, long origin, long position, UUID eventId, long applied, long hash, long highWater,
                  List<ParkedEvent> parked, List<Long> skipped, List<Decision> decisions, Instant savedAt,
                  long snapshotLength) {
    }

    static byte[] encode(Checkpoint c) {
        byte[] snapshot = c.snapshot();
        Header h = new Header(c.name(), c.version(), c.origin(), c.position(), c.eventId(), c.applied(), c.hash(), c.highWater(),
                c.parked(), c.skipped(), c.decisions(), c.savedAt(), snapshot == null ? -1 : snapshot.length);
        ByteArrayOutputStream buf = new ByteArrayOutputStream((snapshot == null ? 0 : snapshot.length) + 512);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(MAGIC);
            byte[] header = JSON.writeValueAsBytes(h);
            out.writeInt(header.length);
            out.write(header);
            out.writeInt(snapshot == null ? -1 : snapshot.length);
            if (snapshot != null) {
                out.write(snapshot);
            }
            out.flush();
            CRC32C crc = new CRC32C();
            byte[] body = buf.toByteArray();
            crc.update(body);
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /**
     * Reads a checkpoint file part by part, the snapshot straight into its own array, checking the checksum as
     * it goes: a past state of many megabytes is read once, not read whole and then copied out (a temporal
     * query pays for that read).
     *
     * @param in the file's bytes from its start
     * @param size how many there are
     * @return the checkpoint
     * @throws IllegalArgumentException naming what is wrong when the bytes are not a sound checkpoint
     * @throws IOException when they cannot be read
     */
    private static Checkpoint decode(ReadableByteChannel in, long size) throws IOException {
        if (size < MAGIC.length + 12) {
            throw new IllegalArgumentException("too short (" + size + " bytes)");
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too long (" + size + " bytes)");
        }
        CRC32C crc = new CRC32C();
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4);
        readFully(in, head);
        crc.update(head.array());
        if (!Arrays.equals(head.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException("not a checkpoint file (bad magic)");
        }
        long left = size - head.capacity();
        int headerLength = head.getInt(MAGIC.length);
        if (headerLength < 0 || headerLength > left - 8) {
            throw new IllegalArgumentException("bad header length " + headerLength);
        }
        ByteBuffer headerAndLength = ByteBuffer.allocate(headerLength + 4);
        readFully(in, headerAndLength);
        crc.update(headerAndLength.array());
        left -= headerAndLength.capacity();
        int snapshotLength = headerAndLength.getInt(headerLength);
        if (snapshotLength < -1 || snapshotLength > left - 4) {
            throw new IllegalArgumentException("bad snapshot length " + snapshotLength);
        }
        if (left - Math.max(0, snapshotLength) != 4) {
            throw new IllegalArgumentException("unexpected " + (left - Math.max(0, snapshotLength) - 4) + " trailing bytes");
        }
        byte[] snapshot = null;
        if (snapshotLength >= 0) {
            snapshot = new byte[snapshotLength];
            readFully(in, ByteBuffer.wrap(snapshot));
            crc.update(snapshot);
        }
        ByteBuffer stored = ByteBuffer.allocate(4);
        readFully(in, stored);
        if ((int) crc.getValue() != stored.getInt(0)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        Header h;
        try {
            h = JSON.readValue(headerAndLength.array(), 0, headerLength, Header.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable header: " + e.getMessage(), e);
        }
        if (snapshotLength != h.snapshotLength) {
            throw new IllegalArgumentException("bad snapshot length " + snapshotLength);
        }
        return new Checkpoint(h.name, h.version, h.origin, h.position, h.eventId, h.applied, h.hash, h.highWater,
                h.parked == null ? List.of() : h.parked, h.skipped == null ? List.of() : h.skipped,
                h.decisions == null ? List.of() : h.decisions, snapshot, h.savedAt);
    }

    /** Reads only the header of a file (to list past states without reading their snapshots). */
    private static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4);
            readFully(ch, head);
            if (!Arrays.equals(head.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException("bad magic");
            }
            int length = head.getInt(MAGIC.length);
            if (length < 0 || length > ch.size()) {
                throw new IOException("bad header length " + length);
            }
            ByteBuffer header = ByteBuffer.allocate(length);
            readFully(ch, header);
            return JSON.readValue(header.array(), Header.class);
        }
    }

    private static void readFully(ReadableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IllegalArgumentException("the file ends early");
            }
        }
    }

    // ---------------------------------------------------------------- the store directory's rules

    /**
     * @param dir a store's {@code projections/} directory
     * @return whether everything in it is a file this store writes, by name and magic
     */
    static boolean recognised(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        for (String n : names(dir)) {
            Path p = dir.resolve(n);
            boolean ok;
            if (n.endsWith(HISTORY_DIR)) {
                ok = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && names(p).stream().allMatch(h ->
                        TEMP.matcher(h).matches() && Files.isRegularFile(p.resolve(h), LinkOption.NOFOLLOW_LINKS)
                                || HISTORY_FILE.matcher(h).matches() && hasMagic(p.resolve(h)));
            } else {
                ok = TEMP.matcher(n).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        || n.endsWith(CHECKPOINT) && hasMagic(p);
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param dir a recognised {@code projections/} directory
     * @return every file in it, then its sub-directories, then itself: the order to delete them in
     */
    static List<Path> contents(Path dir) {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (String n : names(dir)) {
            Path p = dir.resolve(n);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                names(p).forEach(h -> files.add(p.resolve(h)));
                dirs.add(p);
            } else {
                files.add(p);
            }
        }
        files.addAll(dirs);
        files.add(dir);
        return files;
    }

    private static boolean hasMagic(Path p) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return Arrays.equals(b.array(), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> names(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new EventStoreException("cannot list the directory " + dir + ": " + e, e);
        }
        names.sort(null);
        return names;
    }

    @Override
    public String toString() {
        return "FileProjectionStore[" + directory + (readOnly ? ", read-only" : "") + "]";
    }
}
