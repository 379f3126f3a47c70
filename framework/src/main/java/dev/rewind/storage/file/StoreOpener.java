package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a store directory: takes the lock (a reader's or the writer's, creating the store in an absent
 * or empty directory), recovers the log by the rule of docs/adr/0009-file-store-recovery.md from the
 * last index checkpoint, and, for a writer, records in {@code rewind.store} that what the log now holds
 * is acknowledged for good, names the indexes the open rebuilt in a new index snapshot, and removes the
 * index files no snapshot names any more (left by a crash during a checkpoint or a merge).
 */
final class StoreOpener {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private StoreOpener() {
    }

    /**
     * The lock and the loaded log of an opened store.
     *
     * @param lock the directory lock, released by closing it
     * @param log the recovered log and its indexes
     */
    record Opened(StoreDirectory.Lock lock, LogLoader log) {
    }

    static Opened open(Path dir, boolean readOnly, int checkpointEvents) {
        StoreDirectory.Lock lock = null;
        LogLoader log = null;
        java.util.concurrent.locks.ReentrantReadWriteLock rw = new java.util.concurrent.locks.ReentrantReadWriteLock();
        try {
            StoreDirectory.Kind kind = StoreDirectory.kind(dir);
            if (readOnly) {
                if (kind != StoreDirectory.Kind.STORE) {
                    throw StoreDirectory.noStore(dir);
                }
                lock = StoreDirectory.lockForReading(dir);
                log = new LogLoader(dir, LogLoader.Mode.READ_ONLY, rw, checkpointEvents);
                log.load();
                return new Opened(lock, log);
            }
            switch (kind) {
                case ABSENT, EMPTY -> lock = StoreDirectory.create(dir);
                case STORE -> lock = StoreDirectory.lockForWriting(dir);
                default -> throw StoreDirectory.noStore(dir);
            }
            if (LogLoader.segmentFiles(dir).isEmpty()) {
                StoreState.Loaded state = StoreState.read(dir);
                if (state != null && state.state() != null && state.state().acknowledged() > 0) {
                    throw new CorruptStoreException("the store in " + dir + " has no segment files, but "
                            + StoreState.FILE + " records " + state.state().describe()
                            + "; the store was not opened and nothing was changed");
                }
                StoreDirectory.createSegment(dir, 0).close(); // a creation cut short before its first segment
            }
            log = new LogLoader(dir, LogLoader.Mode.WRITE, rw, checkpointEvents);
            log.load();
            // What the log holds now is kept for good: durable first, then recorded as acknowledged.
            Segment last = log.segments.get(log.segments.size() - 1);
            last.channel.force(false);
            new StoreState(false, log.index.count(), last.base, last.writeEnd).write(dir);
            if (log.rebuilt) {
                log.index.writeSnapshotNow();
            }
            log.index.writtenDuringOpen().clear();
            sweep(dir, log.index);
            return new Opened(lock, log);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.closeAll();
            }
            if (lock != null) {
                try {
                    lock.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new EventStoreException("cannot open the store directory " + dir + ": " + e, e);
        }
    }

    /** Removes the index files the snapshot does not name: what a checkpoint or a merge cut short left. */
    private static void sweep(Path dir, IndexStore index) throws IOException {
        Set<Path> named = new HashSet<>();
        for (Run r : index.runs()) {
            named.add(r.path());
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Run.PREFIX + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                boolean run = Run.isRunName(name);
                boolean temp = name.endsWith(Run.SUFFIX + ".tmp") && Run.isRunName(name.substring(0, name.length() - 4));
                if ((run && !named.contains(p)) || temp) {
                    LOG.debug("Removing {}, which no index snapshot names (a checkpoint or a merge cut short)", p);
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.deleteIfExists(dir.resolve(IndexSnapshot.TEMP));
    }
}
