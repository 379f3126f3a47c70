package dev.rewind.storage.kernel;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Group commit without a thread of its own: appenders queue their batches, then wait until an end
 * position is acknowledged. Whoever finds no commit running becomes the committer and writes and syncs
 * everything queued (its own batch and every other one) in one go; the others park. When a commit ends,
 * its committer unparks the waiters it acknowledged and the first one it did not (who commits next),
 * and no one else: a condition variable woke every waiter, covered or not, and handed its lock from one
 * to the next, a chain of wake-ups as long as the fsync itself.
 *
 * <p>Before writing, a committer gives appenders already inside {@code append} (just acknowledged, now
 * queueing their next batch) a moment to join: at most one sync's time, never when it is the only
 * appender. A sibling that arrives within it is served sooner by this sync than by the next.
 *
 * <p>The storage says when appenders enter and leave ({@link #enter}, {@link #leave}) and when a batch
 * is queued ({@link #queued}); its {@link Committer} writes what is queued and reports the new
 * acknowledged end, which the storage publishes (the supplier given here reads it).
 */
public final class GroupCommit {

    /** Writes and syncs everything queued; called by one thread at a time. */
    public interface Committer {
        /**
         * @return true when something was written (false when the queue was empty)
         * @throws RuntimeException when a write or sync failed: the storage must refuse further appends
         */
        boolean commitQueued();
    }

    /** A thread parked until every position below {@code end} is acknowledged. */
    private record Waiter(Thread thread, long end) {
    }

    private final Committer committer;
    private final LongSupplier acknowledged;
    private final boolean gatherSiblings;
    private final AtomicBoolean committing = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    /** Appenders inside {@code append}, and batches queued but not yet taken by a commit. */
    private final AtomicInteger inAppend = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    /** The committer waiting for siblings, if any. */
    private volatile Thread siblingWaiter;
    private volatile long lastSyncNanos;
    private final java.util.concurrent.atomic.AtomicLong gatherNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile RuntimeException failure;
    private volatile boolean closed;

    /**
     * @param committer writes and syncs what is queued
     * @param acknowledged reads the end (exclusive) of what is acknowledged, as the committer publishes it
     * @param gatherSiblings whether a committer waits for appenders already inside {@code append} (worth
     *     it when each commit costs an fsync)
     */
    public GroupCommit(Committer committer, LongSupplier acknowledged, boolean gatherSiblings) {
        this.committer = committer;
        this.acknowledged = acknowledged;
        this.gatherSiblings = gatherSiblings;
    }

    /** An appender entered {@code append}. */
    public void enter() {
        inAppend.incrementAndGet();
    }

    /** An appender left {@code append}. */
    public void leave() {
        inAppend.decrementAndGet();
        siblingArrived();
    }

    /** An appender queued a batch. */
    public void queued() {
        queued.incrementAndGet();
        siblingArrived();
    }

    /** The committer took every queued batch (call from {@link Committer#commitQueued}, under the queue's lock). */
    public void taken() {
        queued.set(0);
    }

    /** @param nanos how long the last sync took: the longest a committer waits for siblings */
    public void synced(long nanos) {
        lastSyncNanos = nanos;
    }

    /** @return the time committers spent waiting for siblings before writing, since this was made */
    public long gatherNanos() {
        return gatherNanos.get();
    }

    /** @return the failure that stopped commits, or null */
    public RuntimeException failure() {
        return failure;
    }

    /**
     * Returns once every position below {@code end} is acknowledged: commits (and so covers whoever is
     * queued) when nobody else is committing, else waits for the committer and is covered by it or
     * becomes the next one.
     *
     * @param end the end (exclusive) of the caller's batch
     * @return true when this thread committed something (it then tells listeners)
     * @throws RuntimeException the commit's failure, when a commit failed
     */
    public boolean awaitAcknowledged(long end) {
        boolean committed = false;
        while (acknowledged.getAsLong() < end) {
            if (failure != null) {
                throw failure;
            }
            if (committing.compareAndSet(false, true)) {
                try {
                    if (acknowledged.getAsLong() < end) {
                        awaitSiblings();
                        committed |= committer.commitQueued();
                    }
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                } finally {
                    committing.set(false);
                    wakeCovered();
                }
                continue;
            }
            Waiter me = new Waiter(Thread.currentThread(), end);
            while (true) { // queue up, then check: a commit that ends after the check will unpark this thread
                waiters.add(me);
                if (acknowledged.getAsLong() >= end || !committing.get() || failure != null) {
                    break;
                }
                LockSupport.park(this);
            }
            waiters.remove(me); // when it left without being woken: a stale entry would wake it spuriously later
        }
        return committed;
    }

    /**
     * Takes the commit for good (a closing storage): waits for a running commit to end. A second call,
     * or one after another thread closed, returns false.
     *
     * @return true when this call took it; nobody commits afterwards
     */
    public boolean close() {
        Waiter me = new Waiter(Thread.currentThread(), Long.MAX_VALUE);
        while (!committing.compareAndSet(false, true)) {
            if (closed) {
                return false;
            }
            waiters.add(me);
            if (committing.get()) {
                LockSupport.parkNanos(this, 1_000_000L);
            }
            waiters.remove(me); // one entry at a time, as in awaitAcknowledged
        }
        if (closed) {
            return false;
        }
        closed = true; // the flag is never given back: holding it means nobody closed before
        return true;
    }

    /**
     * Stops commits after a failure (or an abandoned storage) and wakes everyone to see it.
     *
     * @param e the failure every waiter is to see
     */
    public void fail(RuntimeException e) {
        failure = e;
        wakeAll();
    }

    /** Unparks every waiting thread (after a close, to let them see it). */
    public void wakeAll() {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * After a commit: unparks the waiters it acknowledged, and the first one it did not, which then
     * commits the batches queued meanwhile (its own among them). A waiter queued twice only costs a
     * spurious wake-up; after a failure everyone is woken, to see it.
     */
    private void wakeCovered() {
        if (failure != null) {
            wakeAll();
            return;
        }
        long h = acknowledged.getAsLong();
        boolean nextCommitter = false;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.end <= h || !nextCommitter) {
                nextCommitter |= w.end > h;
                it.remove();
                LockSupport.unpark(w.thread);
            }
        }
    }

    /**
     * Before a commit, waits (at most one sync's time, 2 ms at most) until every appender already inside
     * {@code append} has queued its batch; the last sibling to queue unparks this thread.
     */
    private void awaitSiblings() {
        if (!gatherSiblings) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + Math.min(lastSyncNanos, 2_000_000L);
        siblingWaiter = Thread.currentThread();
        try {
            long left;
            while (queued.get() < inAppend.get() && (left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left);
            }
        } finally {
            siblingWaiter = null;
            gatherNanos.addAndGet(System.nanoTime() - start);
        }
    }

    /** Called when an appender has queued its batch or left: wakes a committer waiting for it to be the last. */
    private void siblingArrived() {
        Thread w = siblingWaiter;
        if (w != null && queued.get() >= inAppend.get()) {
            LockSupport.unpark(w);
        }
    }
}
