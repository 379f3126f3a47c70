package dev.rewind.internal.projection;

import dev.rewind.projection.Decision;
import dev.rewind.projection.ParkedEvent;
import dev.rewind.spi.projection.Checkpoint;
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
     * What a transaction may change. A table projection applies a batch to a {@link #copy} and sets the
     * live lineage to it only once the batch's transaction committed, so that memory never runs ahead of
     * the database, and queries never wait for the database.
     */
    record Mark(long position, UUID lastId, Instant lastRecordedAt, long applied, long hash, long highWater,
                TreeMap<Long, ParkedEvent> parked, Map<String, Long> failedByStream, TreeSet<Long> skipped,
                List<Decision> decisions, long failedAt, String error, long retryPosition, int retryAttempt,
                long retryAtNanos, Throwable retryFailure, boolean retryExhausted) {
    }

    Mark mark() {
        return new Mark(position, lastId, lastRecordedAt, applied, hash, highWater, new TreeMap<>(parked),
                new HashMap<>(failedByStream), new TreeSet<>(skipped), new ArrayList<>(decisions), failedAt, error,
                retryPosition, retryAttempt, retryAtNanos, retryFailure, retryExhausted);
    }

    /** @return a lineage of the same instance with everything {@link #mark} covers copied */
    Lineage copy() {
        Lineage c = new Lineage(instance, origin, replayUntil, highWater);
        c.set(mark());
        c.positionAtLastHistory = positionAtLastHistory;
        return c;
    }

    /** Takes what {@link #mark} covers from {@code m} (the instance is not: a table projection keeps no state in it). */
    void set(Mark m) {
        position = m.position;
        lastId = m.lastId;
        lastRecordedAt = m.lastRecordedAt;
        applied = m.applied;
        hash = m.hash;
        highWater = m.highWater;
        parked.clear();
        parked.putAll(m.parked);
        failedByStream.clear();
        failedByStream.putAll(m.failedByStream);
        skipped.clear();
        skipped.addAll(m.skipped);
        decisions.clear();
        decisions.addAll(m.decisions);
        failedAt = m.failedAt;
        error = m.error;
        retryPosition = m.retryPosition;
        retryAttempt = m.retryAttempt;
        retryAtNanos = m.retryAtNanos;
        retryFailure = m.retryFailure;
        retryExhausted = m.retryExhausted;
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
}
