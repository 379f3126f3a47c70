package dev.rewind.internal;

import dev.rewind.StoredEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The last few thousand events appended through this process, as the appenders built them, by global
 * position: an asynchronous runner at the head takes its events from here instead of reading and
 * decoding them again. A slot holds the latest event whose position maps to it; a reader checks the
 * position and, for anything missing (appended elsewhere, or already overwritten), reads the store,
 * which always has it. Kept small on purpose: every event it holds lives a little longer.
 */
final class RecentEvents {
    private static final int SIZE = 8192;
    /**
     * How long a reader waits for an event an append of this process has stored but not yet put here.
     * The storage shows a group's events to readers as soon as its write is done, a moment before each
     * appender is back to put its own: without the wait a runner at the head read most events of a busy
     * store from the log and decoded them again (3 of 4 under 16 durable writers).
     */
    private static final long AWAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicReferenceArray<StoredEvent<?>> slots = new AtomicReferenceArray<>(SIZE);
    private final AtomicInteger appending = new AtomicInteger();

    /** An append of this process begins: its events may become readable before they are put here. */
    void appendStarts() {
        appending.incrementAndGet();
    }

    /** ... and ends, after its events were put (or it failed). */
    void appendEnds() {
        appending.decrementAndGet();
    }

    /** @return whether an append of this process is in flight */
    boolean appending() {
        return appending.get() != 0;
    }

    void put(StoredEvent<?> event) {
        slots.setRelease((int) (event.globalPosition() & (SIZE - 1)), event);
    }

    /**
     * The event at that position, waiting (about a millisecond at most) while an append of this process
     * is in flight and may be about to put it.
     *
     * @return the event, or null when it is not here and is not coming: overwritten already, appended
     *     by another process, or the wait ran out
     */
    StoredEvent<?> await(long position) {
        long deadline = System.nanoTime() + AWAIT_NANOS;
        int slot = (int) (position & (SIZE - 1));
        while (true) {
            boolean idle = appending.get() == 0; // read before the slot: an append ended by then has put its events
            StoredEvent<?> e = slots.getAcquire(slot);
            if (e != null && e.globalPosition() >= position) {
                return e.globalPosition() == position ? e : null;
            }
            if (idle || System.nanoTime() - deadline > 0) {
                return null;
            }
            LockSupport.parkNanos(this, 10_000); // the appender needs the core more than this thread does
        }
    }

    /** @return the event at that position, or null when it is not here */
    StoredEvent<?> get(long position) {
        StoredEvent<?> e = slots.getAcquire((int) (position & (SIZE - 1)));
        return e != null && e.globalPosition() == position ? e : null;
    }
}
