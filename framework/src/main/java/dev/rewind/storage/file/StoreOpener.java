package dev.rewind.storage.file;

import dev.rewind.CorruptStoreException;
import dev.rewind.EventStoreException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a store directory: takes the lock (a reader's or the writer's, creating the store in an absent
 * or empty directory), recovers the log by the rule of docs/adr/0009-file-store-recovery.md, and, for a
 * writer, records in {@code rewind.store} that what the log now holds is acknowledged for good.
 */
final class StoreOpener {
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

    static Opened open(Path dir, boolean readOnly) {
        StoreDirectory.Lock lock = null;
        LogLoader log = null;
        try {
            StoreDirectory.Kind kind = StoreDirectory.kind(dir);
            if (readOnly) {
                if (kind != StoreDirectory.Kind.STORE) {
                    throw StoreDirectory.noStore(dir);
                }
                lock = StoreDirectory.lockForReading(dir);
                log = new LogLoader(dir, LogLoader.Mode.READ_ONLY);
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
            log = new LogLoader(dir, LogLoader.Mode.WRITE);
            log.load();
            // What the log holds now is kept for good: durable first, then recorded as acknowledged.
            Segment last = log.segments.get(log.segments.size() - 1);
            last.channel.force(false);
            new StoreState(false, log.index.count(), last.base, last.writeEnd).write(dir);
            return new Opened(lock, log);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                for (Segment s : log.segments) {
                    try {
                        s.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
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
}
