package dev.rewind.internal;

import dev.rewind.StoredEvent;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last few thousand events appended through this process, as the appenders built them, by global
 * position: an asynchronous runner at the head takes its events from here instead of reading and
 * decoding them again. A slot holds the latest event whose position maps to it; a reader checks the
 * position and, for anything missing (appended elsewhere, or already overwritten), reads the store,
 * which always has it. Kept small on purpose: every event it holds lives a little longer.
 */
final class RecentEvents {
    private static final int SIZE = 8192;
    private final AtomicReferenceArray<StoredEvent<?>> slots = new AtomicReferenceArray<>(SIZE);

    void put(StoredEvent<?> event) {
        slots.setRelease((int) (event.globalPosition() & (SIZE - 1)), event);
    }

    /** @return the event at that position, or null when it is not here */
    StoredEvent<?> get(long position) {
        StoredEvent<?> e = slots.getAcquire((int) (position & (SIZE - 1)));
        return e != null && e.globalPosition() == position ? e : null;
    }
}
