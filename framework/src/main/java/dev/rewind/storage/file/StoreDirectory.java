package dev.rewind.storage.file;

import dev.rewind.EventStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What lives in a store directory, and who may use it: which files the store writes (so that a
 * directory holding anything else is never taken for a store, written to or wiped), how a store is
 * created, and the lock that lets one writer or any number of readers in.
 */
final class StoreDirectory {
    static final String LOCK_FILE = "rewind.lock";
    static final String SNAPSHOTS = "snapshots";
    private static final Pattern TORN_TAIL = Pattern.compile("\\d{20}\\" + Segment.SUFFIX + "\\.torn-\\d+(-\\d+)?");
    private static final Pattern SNAPSHOT_TEMP = Pattern.compile("\\.snapshot-.*\\.tmp");
    private static final byte[] SNAPSHOT_MAGIC = "RWSNAP01".getBytes(StandardCharsets.US_ASCII);

    /**
     * Read-only opens in this JVM share one OS lock per directory: the JVM refuses a second lock on
     * the same file, even a shared one, so each reader counts itself in here instead.
     */
    private static final Map<Path, SharedLock> SHARED = new HashMap<>();

    private StoreDirectory() {
    }

    /** What a directory holds. */
    enum Kind {
        /** Nothing there. */
        ABSENT,
        /** An empty directory, or one holding only what an interrupted creation leaves (a lock file). */
        EMPTY,
        /** A Rewind store (its {@code rewind.store} file, or the segments of a store from before that file). */
        STORE,
        /** Anything else: a file, or a directory holding something the store did not write. */
        FOREIGN
    }

    static Kind kind(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir)) {
            return Kind.ABSENT;
        }
        if (!Files.isDirectory(dir)) {
            return Kind.FOREIGN;
        }
        List<String> names = names(dir);
        if (names.contains(StoreState.FILE) && StoreState.hasMagic(dir.resolve(StoreState.FILE))) {
            return Kind.STORE;
        }
        if (names.contains(Segment.fileName(0)) && names.stream().allMatch(n -> recognised(dir, n))) {
            return Kind.STORE; // written by a release before rewind.store existed
        }
        if (names.stream().allMatch(n -> n.equals(LOCK_FILE) || n.equals(StoreState.TEMP))) {
            return Kind.EMPTY;
        }
        return Kind.FOREIGN;
    }

    /** @return the error for a directory that holds no store, listing a few of its entries */
    static NoStoreException noStore(Path dir) {
        if (!Files.exists(dir)) {
            return new NoStoreException(dir, "the directory does not exist");
        }
        if (!Files.isDirectory(dir)) {
            return new NoStoreException(dir, "it is a file, not a directory");
        }
        List<String> names = names(dir);
        if (names.isEmpty()) {
            return new NoStoreException(dir, "the directory is empty");
        }
        List<String> shown = names.stream().sorted().limit(5).toList();
        return new NoStoreException(dir, "it holds " + String.join(", ", shown)
                + (names.size() > shown.size() ? " and " + (names.size() - shown.size()) + " more" : "")
                + " and no " + StoreState.FILE);
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
        return names;
    }

    /** Whether an entry of a store directory is one the store writes, by name and, where it has one, format. */
    private static boolean recognised(Path dir, String name) {
        Path p = dir.resolve(name);
        if (name.equals(SNAPSHOTS)) {
            return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && names(p).stream().allMatch(n -> snapshotFile(p, n));
        }
        if (name.equals(FileProjectionStore.DIRECTORY)) {
            return FileProjectionStore.recognised(p);
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (name.equals(LOCK_FILE) || name.equals(StoreState.TEMP) || name.equals(IndexSnapshot.TEMP)
                || TORN_TAIL.matcher(name).matches()) {
            return true;
        }
        if (name.equals(StoreState.FILE)) {
            return StoreState.hasMagic(p);
        }
        if (name.equals(IndexSnapshot.FILE)) {
            return IndexSnapshot.hasMagic(p);
        }
        if (Run.isRunName(name)) {
            // a run of the first format is the store's too: the next open for writing rebuilds it
            return startsWith(p, Run.MAGIC) || startsWith(p, Run.MAGIC_1);
        }
        if (name.endsWith(Run.SUFFIX + ".tmp") && Run.isRunName(name.substring(0, name.length() - 4))) {
            return true; // a run a checkpoint or a merge was writing when it stopped
        }
        return Segment.parseBase(name) >= 0 && looksLikeSegment(p);
    }

    private static boolean snapshotFile(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return SNAPSHOT_TEMP.matcher(name).matches() || (name.endsWith(".snap") && startsWith(p, SNAPSHOT_MAGIC));
    }

    /** Empty, or starting with a record header whose length checksum holds. */
    private static boolean looksLikeSegment(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                return true;
            }
            ByteBuffer b = ByteBuffer.allocate(RecordCodec.HEADER);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return !b.hasRemaining() && RecordCodec.lengthCheck(b.array(), 0) == b.getInt(4);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean startsWith(Path p, byte[] magic) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(magic.length);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return Arrays.equals(b.array(), magic);
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- locks

    /** A lock on a store directory; closing it lets the next one in. */
    interface Lock extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the exclusive lock of a writer, creating the lock file when missing.
     *
     * @throws EventStoreException when another process or another storage of this JVM has the store open
     */
    static Lock lockForWriting(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = tryLock(ch, false, dir);
        return () -> release(lock, ch, dir);
    }

    /** Takes the OS lock on an open lock file, or closes the file and says who has the store. */
    private static FileLock tryLock(FileChannel ch, boolean shared, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw inUse(dir, dir.resolve(LOCK_FILE));
        }
        return lock;
    }

    private static void release(FileLock lock, FileChannel ch, Path dir) {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            ch.close();
        } catch (IOException e) {
            throw new EventStoreException("releasing the lock of " + dir + " failed: " + e, e);
        }
    }

    /**
     * Takes a shared lock: any number of readers, no writer. Creates nothing: a store without a lock
     * file (possible only for a store someone took apart) is read without one.
     *
     * @throws EventStoreException when a writer has the store open
     */
    static Lock lockForReading(Path dir) throws IOException {
        synchronized (SHARED) {
            SharedLock existing = SHARED.get(dir);
            if (existing != null) {
                existing.users++;
                return () -> existing.release(dir);
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return () -> {
                };
            }
            SharedLock shared = new SharedLock(ch, tryLock(ch, true, dir));
            SHARED.put(dir, shared);
            return () -> shared.release(dir);
        }
    }

    private static EventStoreException inUse(Path dir, Path lockPath) {
        return new EventStoreException("the store directory " + dir + " is in use: another process (or another"
                + " storage in this one) has it open" + " (lock file " + lockPath + "); a writer excludes everyone,"
                + " readers exclude writers");
    }

    /** One OS lock shared by the read-only storages of this JVM on one directory. */
    private static final class SharedLock {
        final FileChannel channel;
        final FileLock lock;
        int users = 1;

        SharedLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        void release(Path dir) {
            synchronized (SHARED) {
                if (--users > 0) {
                    return;
                }
                SHARED.remove(dir);
                StoreDirectory.release(lock, channel, dir);
            }
        }
    }

    // ---------------------------------------------------------------- create, delete

    /**
     * Makes {@code dir} a store: the directory (not its parents) when absent, the lock, {@code rewind.store}
     * and the first segment, each durable before the next.
     *
     * @return the writer's lock
     * @throws NoStoreException when the directory is neither absent nor empty
     */
    static Lock create(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (!Files.exists(dir)) {
            if (parent != null && !Files.isDirectory(parent)) {
                throw new NoStoreException(dir, "its parent directory " + parent + " does not exist (a store is"
                        + " created in an absent or empty directory, never with its parents)");
            }
            try {
                Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another creator was first: the checks below decide
            }
            if (parent != null) {
                syncDirectory(parent);
            }
        }
        Lock lock = lockForWriting(dir);
        try {
            Kind kind = kind(dir); // again, under the lock: another process may have created it meanwhile
            if (kind == Kind.STORE) {
                return lock;
            }
            if (kind != Kind.EMPTY) {
                throw noStore(dir);
            }
            new StoreState(false, 0, 0, 0).write(dir);
            createSegment(dir, 0).close(); // created and named durably
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    static FileChannel createSegment(Path dir, long base) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(Segment.fileName(base)), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        syncDirectory(dir); // the new name must survive a crash before anything in it is acknowledged
        return ch;
    }

    /**
     * Removes every file the store wrote and leaves the directory empty; removes nothing when it holds
     * anything else.
     */
    static void delete(Path dir) {
        Kind kind = kind(dir);
        if (kind == Kind.ABSENT) {
            return;
        }
        if (kind == Kind.EMPTY && names(dir).isEmpty()) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new EventStoreException("refusing to delete " + dir + ": it is a file, not a store directory");
        }
        TreeSet<String> unknown = new TreeSet<>();
        for (String n : names(dir)) {
            if (!recognised(dir, n)) {
                unknown.add(n + (Files.isDirectory(dir.resolve(n)) ? "/" : ""));
            }
        }
        if (!unknown.isEmpty()) {
            throw new EventStoreException("refusing to delete the store in " + dir + ": it also holds "
                    + String.join(", ", unknown) + ", which no Rewind store writes; nothing was deleted");
        }
        Lock lock = null;
        try {
            lock = lockForWriting(dir);
            List<Path> files = new ArrayList<>();
            for (String n : names(dir)) {
                Path p = dir.resolve(n);
                if (n.equals(SNAPSHOTS)) {
                    names(p).forEach(s -> files.add(p.resolve(s)));
                }
                if (n.equals(FileProjectionStore.DIRECTORY)) {
                    files.addAll(FileProjectionStore.contents(p)); // files first, then the directories holding them
                } else if (!n.equals(LOCK_FILE)) {
                    files.add(p);
                }
            }
            // rewind.store first: a deletion cut short leaves no half-store that looks whole
            files.sort((a, b) -> Boolean.compare(!a.getFileName().toString().equals(StoreState.FILE),
                    !b.getFileName().toString().equals(StoreState.FILE)));
            for (Path p : files) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !p.startsWith(dir.resolve(FileProjectionStore.DIRECTORY))) {
                    continue;
                }
                Files.delete(p);
            }
            Path snapshots = dir.resolve(SNAPSHOTS);
            if (Files.isDirectory(snapshots, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(snapshots);
            }
        } catch (IOException e) {
            throw new EventStoreException("deleting the store in " + dir + " failed: " + e, e);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
        try {
            Files.deleteIfExists(dir.resolve(LOCK_FILE));
        } catch (IOException e) {
            throw new EventStoreException("deleting the lock file of " + dir + " failed: " + e, e);
        }
    }

    /** A free name for the bytes cut from a segment at an offset. */
    static Path tornTailFile(Path segment, long offset) {
        Path p = segment.resolveSibling(segment.getFileName() + ".torn-" + offset);
        for (int i = 2; Files.exists(p); i++) {
            p = segment.resolveSibling(segment.getFileName() + ".torn-" + offset + "-" + i);
        }
        return p;
    }

    static void syncDirectory(Path dir) throws IOException {
        boolean interrupted = Thread.interrupted(); // an interrupt would close the channel mid-force
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            if (e instanceof ClosedByInterruptException) {
                interrupted = true;
                Thread.interrupted();
                syncDirectory(dir);
            } else if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
                throw e;
            }
            // Windows cannot open a directory as a file; NTFS journals the name anyway
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
