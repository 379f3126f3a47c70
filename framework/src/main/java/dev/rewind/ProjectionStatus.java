package dev.rewind;

import dev.rewind.projection.ProjectionSettings;
import java.time.Instant;
import java.util.Objects;

/**
 * The health of a projection, an event processor or a subscription: where it is, how far behind the
 * store, how fast it goes, and whether it stopped.
 *
 * @param name its name
 * @param kind projection, processor or subscription
 * @param mode fed on the appending thread ({@code SYNC}) or on its own ({@code ASYNC})
 * @param state catching up, live, rebuilding, stopped or failed
 * @param lastPosition the global position of the last event it handled (applied, or parked), -1 before the first
 * @param head the store's next position when the status was taken (the number of events stored)
 * @param lag how many stored events it has not handled yet: {@code head - 1 - lastPosition}
 * @param lagSeconds how long ago the oldest event it has not handled yet was recorded (by the store's clock),
 *     0 when it is caught up
 * @param rate events handled per second, over the last few seconds
 * @param parked how many events are parked (see {@code Projections.parked})
 * @param checkpoint the position of its last saved checkpoint, -1 when none is saved
 * @param failedAt the global position of the event it stopped at, or -1 when it did not
 * @param error the last error (of a failed or parked event, or of a rebuild), or null
 * @param owner for an owned runner (placement {@code OWNED} on a store with leases): the instance id of
 *     the instance that processes it, as last seen (null when no instance holds its lease); null for
 *     every other runner
 * @param ownedHere whether this instance holds the runner's lease now (false for a runner that is not owned)
 * @param ownedSince while this instance holds the lease: when it took it (by the runtime's clock); null otherwise
 * @param takenOverFrom while this instance holds the lease: the instance that held it before, when this one took it
 *     over (after a crash, a stall or a hand-over); null when it was free and nobody held it before, or when
 *     this instance does not hold it
 */
public record ProjectionStatus(String name, Kind kind, ProjectionSettings.Mode mode, State state, long lastPosition,
                               long head, long lag, double lagSeconds, double rate, int parked, long checkpoint,
                               long failedAt, String error, String owner, boolean ownedHere, Instant ownedSince,
                               String takenOverFrom) {

    /** What kind of runner it is. */
    public enum Kind {
        /** A {@code @Projection}: state, queries, rebuilds. */
        PROJECTION,
        /** An {@code @EventProcessor}: side effects, at least once, never replayed. */
        PROCESSOR,
        /** A subscription made with {@code Projections.subscribe}. */
        SUBSCRIPTION
    }

    /** Where a runner is. */
    public enum State {
        /** Applying events stored before it started, or since it fell behind. */
        CATCHING_UP,
        /** Caught up: it applies events as they are stored. */
        LIVE,
        /** A fresh instance is being built in the background; the current one still answers queries. */
        REBUILDING,
        /** Not running: closed, unsubscribed, or a processor on a store opened read-only. */
        STOPPED,
        /** Stopped at an event whose handler failed every attempt (see {@link #failedAt()}). */
        FAILED,
        /**
         * Owned by another instance ({@link #owner()}): this one does not process it, answers queries from
         * the last shared snapshot, and takes over when the owner's lease expires.
         */
        STANDBY
    }

    /**
     * Checks that nothing is missing.
     *
     * @param name its name
     * @param kind projection, processor or subscription
     * @param mode fed on the appending thread ({@code SYNC}) or on its own ({@code ASYNC})
     * @param state catching up, live, rebuilding, stopped or failed
     * @param lastPosition the global position of the last event it handled (applied, or parked), -1 before the first
     * @param head the store's next position when the status was taken (the number of events stored)
     * @param lag how many stored events it has not handled yet: {@code head - 1 - lastPosition}
     * @param lagSeconds how long ago the oldest event it has not handled yet was recorded (by the store's clock), 0 when it is caught up
     * @param rate events handled per second, over the last few seconds
     * @param parked how many events are parked (see {@code Projections.parked})
     * @param checkpoint the position of its last saved checkpoint, -1 when none is saved
     * @param failedAt the global position of the event it stopped at, or -1 when it did not
     * @param error the last error (of a failed or parked event, or of a rebuild), or null
     * @param owner for an owned runner: the instance that processes it, as last seen, or null; null for every other runner
     * @param ownedHere whether this instance holds the runner's lease now
     * @param ownedSince while this instance holds the lease, when it took it; else null
     * @param takenOverFrom while this instance holds the lease, who held it before; else null
     */
    public ProjectionStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(state, "state");
    }

    /** @return whether it stopped at a failed event */
    public boolean failed() {
        return failedAt >= 0;
    }

    /**
     * A status of a runner that is not owned.
     *
     * @param name its name
     * @param kind projection, processor or subscription
     * @param mode {@code SYNC} or {@code ASYNC}
     * @param state where it is
     * @param lastPosition the last event it handled, -1 before the first
     * @param head the store's next position
     * @param lag how many stored events it has not handled yet
     * @param lagSeconds how long ago the oldest of them was recorded
     * @param rate events handled per second
     * @param parked how many events are parked
     * @param checkpoint the position of its last saved checkpoint, -1 when none
     * @param failedAt the position it stopped at, or -1
     * @param error the last error, or null
     */
    public ProjectionStatus(String name, Kind kind, ProjectionSettings.Mode mode, State state, long lastPosition,
                            long head, long lag, double lagSeconds, double rate, int parked, long checkpoint,
                            long failedAt, String error) {
        this(name, kind, mode, state, lastPosition, head, lag, lagSeconds, rate, parked, checkpoint, failedAt, error,
                null, false, null, null);
    }
}
