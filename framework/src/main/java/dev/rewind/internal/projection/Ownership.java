package dev.rewind.internal.projection;

import dev.rewind.spi.projection.Lease;
import dev.rewind.spi.projection.LeaseLostException;
import dev.rewind.spi.projection.ProjectionLeases;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The lease of one owned runner on this instance (docs/adr/0015-projection-ownership.md): whether it is
 * held, until when it surely is, and who held it when last seen. The runner's worker acquires it; the
 * runtime's heartbeat thread renews it every {@code duration / 3}; a failed renewal or fenced save drops
 * it, and the worker steps down.
 *
 * <p>With a {@link Membership} (docs/adr/0018-spreading-owned-runners.md) the worker asks for the lease only
 * when the {@link Placement} puts the runner here, or when the lease has stayed free for a grace period
 * (one lease duration per place in the fallback order) because the instance it is placed on did not take
 * it; and once the membership changed since it took the lease, it hands the runner over to the instance
 * it is placed on now. Without one, it asks whenever the lease is free, as before.
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
    /** The instances sharing the store, or null: then every free lease is asked for. */
    private final Membership membership;
    /** The membership generation the placement was last checked against while holding the lease. Worker only. */
    private long checkedGeneration;
    /** The generation the last {@link #turn()} decided on. Worker only. */
    private long turnGeneration;
    /** Who held the lease before this instance's last grant, or null. Worker only. */
    private String takenFrom;
    /** Since when (monotonic) this waiting instance has seen the lease free, or -1. Worker only. */
    private long freeSinceNanos = -1;

    /** Whether a waiting instance asks for the lease now. */
    enum Turn {
        /** The runner is placed here (or nothing is placed: no membership). */
        PLACED,
        /** Placed elsewhere, but the lease stayed free for this instance's grace period. */
        FALLBACK,
        /** Placed elsewhere: wait. */
        WAIT
    }

    Ownership(ProjectionLeases leases, String name, String instanceId, Duration duration, Membership membership) {
        this.leases = leases;
        this.name = name;
        this.instanceId = instanceId;
        this.duration = duration;
        this.membership = membership;
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
     * Whether to ask for the lease now (worker, when an attempt is due and it is not held here). Reads who
     * holds it unless the runner is placed here; when it is free, reads the membership again first (the
     * instance it was placed on may have left since the heartbeat last read: one that closes leaves before
     * it releases, so this read no longer lists it).
     */
    Turn turn() {
        if (membership == null) {
            return Turn.PLACED;
        }
        Membership.View v = membership.view();
        turnGeneration = v.generation();
        if (v.placement().rank(name, instanceId) == 0) {
            return Turn.PLACED;
        }
        String holder = leases.holder(name).map(Lease::owner).orElse(null);
        if (holder != null) {
            lastOwner = holder;
            freeSinceNanos = -1;
            return Turn.WAIT;
        }
        v = membership.read();
        turnGeneration = v.generation();
        int rank = v.placement().rank(name, instanceId);
        if (rank == 0) {
            return Turn.PLACED; // lastOwner stays the holder last seen: the take-over names it
        }
        lastOwner = null;
        long now = System.nanoTime();
        if (freeSinceNanos < 0) {
            freeSinceNanos = now;
        }
        // not a candidate (this instance's own membership is not in the view): after every candidate
        long places = rank > 0 ? rank : v.placement().candidates(name) + 1;
        return now - freeSinceNanos >= duration.toNanos() * places ? Turn.FALLBACK : Turn.WAIT;
    }

    /** @return who held the lease before this instance's last grant (maybe this instance), or null */
    String takenFrom() {
        return takenFrom;
    }

    /** @return the instance the runner is placed on in the last view read, or null (none, or no membership) */
    String placedOn() {
        return membership == null ? null : membership.view().placement().assignee(name);
    }

    /** @return the grace period of a fallback, for messages */
    Duration grace() {
        return duration;
    }

    /**
     * Tries to take the lease.
     *
     * @return whether it is held now
     */
    boolean tryAcquire() {
        if (lastOwner == null) { // free when last seen: who had it is only in the row now, for the take-over's message
            lastOwner = leases.lastHolder(name).orElse(null);
        }
        long sent = System.nanoTime();
        Optional<Lease> got = leases.acquire(name, instanceId, duration);
        if (got.isEmpty()) {
            lastOwner = leases.holder(name).map(Lease::owner).orElse(null);
            return false;
        }
        deadlineNanos = sent + duration.toNanos();
        renewedNanos = sent;
        lostBecause = null;
        checkedGeneration = turnGeneration;
        freeSinceNanos = -1;
        takenFrom = lastOwner;
        held = got.get();
        return true;
    }

    /**
     * Whether the owner should hand the runner over (worker, while it holds the lease): only when the
     * membership changed since the placement was last checked, and the runner is placed on another live
     * instance now. A change that leaves it here is noted, so that it is not looked at again.
     *
     * @return the instance to hand it to, or null to keep it
     */
    String handOverTo() {
        if (membership == null || held == null) {
            return null;
        }
        Membership.View v = membership.view();
        if (v.generation() == checkedGeneration) {
            return null;
        }
        if (v.placement().rank(name, instanceId) < 0) {
            // this instance is missing from the view while it holds the lease: its own membership lapsed (a
            // renewal failed) and comes back at its next renewal; moving now would move the runner twice
            return null;
        }
        String to = v.placement().assignee(name);
        if (to.equals(instanceId)) {
            checkedGeneration = v.generation();
            return null;
        }
        return to;
    }

    /** @return the ids of the live members in the last view read, sorted (for messages) */
    List<String> members() {
        return membership == null ? List.of() : membership.view().ids();
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

    /** Gives the lease up (at close, or to hand the runner over; after the last save). */
    void release() {
        Lease l = held;
        held = null;
        if (l != null) {
            lastOwner = null;
            leases.release(l);
        }
    }
}
