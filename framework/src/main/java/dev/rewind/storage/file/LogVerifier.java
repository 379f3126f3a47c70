package dev.rewind.storage.file;

import dev.rewind.EventStoreException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link FileStorage#verify}: reads the whole log without opening the store (under a reader's lock, so
 * no writer changes it meanwhile), applies the recovery rule and reports instead of acting on it. It
 * builds indexes of its own (in a temporary directory, deleted after) to check ids and stream versions
 * with a bounded heap, and reads every block of the store's index files.
 */
final class LogVerifier {
    private LogVerifier() {
    }

    static VerifyReport verify(Path dir) {
        if (StoreDirectory.kind(dir) != StoreDirectory.Kind.STORE) {
            throw StoreDirectory.noStore(dir);
        }
        LogLoader log = new LogLoader(dir, LogLoader.Mode.VERIFY);
        StoreDirectory.Lock lock = null;
        try {
            lock = StoreDirectory.lockForReading(dir);
            log.load();
            VerifyReport.Outcome outcome = !log.problems.isEmpty() ? VerifyReport.Outcome.DAMAGED
                    : log.tornTail ? VerifyReport.Outcome.TORN_TAIL : VerifyReport.Outcome.SOUND;
            return new VerifyReport(dir, log.segments.size(), log.index.count(), log.bytes, outcome,
                    log.problems, log.notes);
        } catch (IOException e) {
            throw new EventStoreException("cannot read the store directory " + dir + ": " + e, e);
        } finally {
            log.closeAll();
            if (lock != null) {
                lock.close();
            }
        }
    }
}
