package dev.rewind.internal.projection;

import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import java.time.Duration;
import java.util.Optional;

/**
 * The lease of one owned runner on this instance (docs/adr/0015-projection-ownership.md): whether it is
 * held, until when it surely is, and who held it when last seen. The runner's worker acquires it; the
 * runtime's heartbeat thread renews it every {@code duration / 3}; a failed renewal or fenced save drops
 * it, and the worker steps down.
 *
 * <p>The deadline is measured on this instance's monotonic clock from the moment a grant or renewal was
 * <em>sent</em>: the store set the expiry later than that by its own clock, so the deadline is never after
 * the real expiry (a check made before any write, never instead of the fence).
 */
final class Ownership {
    private final ProjectionLeases leases;
    private final String name;
    private final String instanceId;
    private final Duration duration;
    private volatile Lease held;
    private volatile long deadlineNanos;
    private volatile long renewedNanos;
    /** Who held the lease when last seen (this instance while it holds it), or null. */
    private volatile String lastOwner;
    /** Why the lease was dropped by another thread than the worker (a renewal, a save), until the worker logs it. */
    private volatile String lostBecause;

    Ownership(ProjectionLeases leases, String name, String instanceId, Duration duration) {
        this.leases = leases;
        this.name = name;
        this.instanceId = instanceId;
        this.duration = duration;
    }

    String instanceId() {
        return instanceId;
    }

    /** @return how often a waiting instance tries to acquire, and the owner renews */
    long pollNanos() {
        return Math.max(1, duration.toNanos() / 3);
    }

    /** @return whether the lease is held and surely not expired yet */
    boolean holds() {
        return held != null && System.nanoTime() - deadlineNanos < 0;
    }

    /** @return the lease held (maybe expired by now: a fenced write decides), or null */
    Lease lease() {
        return held;
    }

    String lastOwner() {
        return lastOwner;
    }

    /**
     * Tries to take the lease.
     *
     * @return whether it is held now
     */
    boolean tryAcquire() {
        long sent = System.nanoTime();
        Optional<Lease> got = leases.acquire(name, instanceId, duration);
        if (got.isEmpty()) {
            lastOwner = leases.holder(name).map(Lease::owner).orElse(null);
            return false;
        }
        deadlineNanos = sent + duration.toNanos();
        renewedNanos = sent;
        lostBecause = null;
        held = got.get();
        return true;
    }

    /** Reads who holds the lease now (for a waiting instance's status). */
    void lookUp() {
        lastOwner = leases.holder(name).map(Lease::owner).orElse(null);
    }

    /**
     * Renews the lease when a renewal is due (heartbeat thread). A refusal or a failure drops it.
     *
     * @return whether it was dropped now
     */
    boolean heartbeat() {
        Lease l = held;
        long sent = System.nanoTime();
        if (l == null || sent - renewedNanos < pollNanos()) {
            return false;
        }
        try {
            leases.renew(l);
            if (held == l) {
                deadlineNanos = sent + duration.toNanos();
                renewedNanos = sent;
            }
            return false;
        } catch (LeaseLostException e) {
            return drop(l, e.currentOwner(), "its lease could not be renewed: " + e.getMessage());
        } catch (RuntimeException e) {
            // the store cannot confirm the lease: it may be taken once it expires, so stop now rather than then
            return drop(l, null, "its lease could not be renewed (" + e + ")");
        }
    }

    /** A fenced save was refused: the lease is gone. */
    void lost(Lease l, LeaseLostException e) {
        drop(l, e.currentOwner(), "its fenced checkpoint save was refused: " + e.getMessage());
    }

    private synchronized boolean drop(Lease l, String currentOwner, String why) {
        if (held != l || l == null) {
            return false;
        }
        held = null;
        lastOwner = currentOwner;
        lostBecause = why;
        return true;
    }

    /**
     * For the worker: the lease it held is gone (dropped, or its deadline passed). Clears it.
     *
     * @return why, or null while it holds the lease or never held it
     */
    synchronized String takeLoss() {
        if (held != null && !holds()) {
            held = null;
            lostBecause = "its lease expired before it could be renewed (" + duration.toMillis() + " ms)";
        }
        String why = lostBecause;
        lostBecause = null;
        return why;
    }

    /** Gives the lease up (at close, after the last save). */
    void release() {
        Lease l = held;
        held = null;
        if (l != null) {
            leases.release(l);
        }
    }
}
