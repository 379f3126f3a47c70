package dev.rewind.internal.projection;

import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One instance of a runner's target and how far it got: the live one, or a fresh one being rebuilt in
 * the background. Everything a checkpoint saves is here, so that a checkpoint taken under the runner's
 * lock is one consistent moment. Not thread-safe: the live lineage is guarded by its runner's lock, a
 * rebuilding one belongs to the rebuilding thread until the switch.
 */
final class Lineage {
    /*
     * Status reads these two while a worker holds the lock through a slow handler: opaque reads see a whole
     * long (never half of one) without making the worker's plain writes on the hot path any dearer.
     */
    private static final VarHandle POSITION;
    private static final VarHandle FAILED_AT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            POSITION = lookup.findVarHandle(Lineage.class, "position", long.class);
            FAILED_AT = lookup.findVarHandle(Lineage.class, "failedAt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Object instance;
    /** The position before the first event this lineage handled. */
    final long origin;
    /** The last position handled (applied, parked or skipped). */
    long position;
    /** The id of the event at {@link #position}, null for -1. */
    UUID lastId;
    Instant lastRecordedAt;
    long applied;
    long hash;
    long highWater;
    /** Events at or before this position are replays. */
    final long replayUntil;
    final TreeMap<Long, ParkedEvent> parked = new TreeMap<>();
    /** Stream -> the position of its parked event that failed (the others of the stream wait behind it). */
    final Map<String, Long> failedByStream = new HashMap<>();
    final TreeSet<Long> skipped = new TreeSet<>();
    final List<Decision> decisions = new ArrayList<>();
    long failedAt = -1;
    String error;
    /**
     * A lineage that must not replace the saved checkpoint yet: the old version's state serving during a
     * start-up rebuild, or a new version still catching up while the old one's snapshot is kept.
     */
    boolean provisional;
    /** A provisional lineage that a start-up rebuild will replace (it never becomes the saved one itself). */
    boolean awaitsRebuild;

    /** The retry under way (asynchronous runners wait between attempts without holding the lock). */
    long retryPosition = -1;
    int retryAttempt;
    long retryAtNanos;
    /**
     * A table projection's retry (docs/adr/0016-table-projections.md): the failure the rolled-back batch
     * met at {@link #retryPosition}, and whether its attempts are used up (the next round gives up on it
     * without calling the handler again).
     */
    Throwable retryFailure;
    boolean retryExhausted;

    /** For the save and history triggers. */
    long positionAtLastHistory;
    Instant recordedAtLastHistory;

    Lineage(Object instance, long origin, long replayUntil, long highWater) {
        this.instance = instance;
        this.origin = origin;
        this.position = origin;
        this.replayUntil = replayUntil;
        this.highWater = highWater;
        this.positionAtLastHistory = origin;
    }

    /** A lineage resumed from a checkpoint, with the instance its snapshot was read into (or the processor). */
    static Lineage resumed(Checkpoint c, Object instance) {
        Lineage l = new Lineage(instance, c.origin(), c.highWater(), c.highWater());
        l.position = c.position();
        l.lastId = c.eventId();
        l.applied = c.applied();
        l.hash = c.hash();
        l.positionAtLastHistory = c.position();
        for (ParkedEvent p : c.parked()) {
            l.parked.put(p.position(), p);
            if (p.failed()) {
                l.failedByStream.put(p.streamId(), p.position());
            }
        }
        l.skipped.addAll(c.skipped());
        l.decisions.addAll(c.decisions());
        return l;
    }

    /**
     * What a transaction may change is what {@link #takeFrom} copies. A table projection applies a batch to a
     * {@link #copy} and has the live lineage take from it only once the batch's transaction committed, so
     * that memory never runs ahead of the database, and queries never wait for the database.
     *
     * @return a lineage of the same instance with everything {@link #takeFrom} covers copied
     */
    Lineage copy() {
        Lineage c = new Lineage(instance, origin, replayUntil, highWater);
        c.takeFrom(this);
        c.positionAtLastHistory = positionAtLastHistory;
        return c;
    }

    /**
     * Takes the progress, the parked events, the decisions and the retry of {@code other} (the instance is
     * not taken: a table projection keeps no state in it), copying its collections.
     */
    void takeFrom(Lineage other) {
        position = other.position;
        lastId = other.lastId;
        lastRecordedAt = other.lastRecordedAt;
        applied = other.applied;
        hash = other.hash;
        highWater = other.highWater;
        parked.clear();
        parked.putAll(other.parked);
        failedByStream.clear();
        failedByStream.putAll(other.failedByStream);
        skipped.clear();
        skipped.addAll(other.skipped);
        decisions.clear();
        decisions.addAll(other.decisions);
        failedAt = other.failedAt;
        error = other.error;
        retryPosition = other.retryPosition;
        retryAttempt = other.retryAttempt;
        retryAtNanos = other.retryAtNanos;
        retryFailure = other.retryFailure;
        retryExhausted = other.retryExhausted;
    }

    /** @return the parked events of one stream, in order */
    List<ParkedEvent> parkedOf(String streamId) {
        List<ParkedEvent> out = new ArrayList<>();
        for (ParkedEvent p : parked.values()) {
            if (p.streamId().equals(streamId)) {
                out.add(p);
            }
        }
        return out;
    }

    /** @return {@link #position} as last written, read without the runner's lock (it may be a batch behind) */
    long positionWithoutLock() {
        return (long) POSITION.getOpaque(this);
    }

    /** @return {@link #failedAt} as last written, read without the runner's lock */
    long failedAtWithoutLock() {
        return (long) FAILED_AT.getOpaque(this);
    }
}
