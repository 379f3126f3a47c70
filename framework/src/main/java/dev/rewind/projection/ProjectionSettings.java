package dev.rewind.projection;

import java.time.Duration;
import java.util.Objects;

/**
 * How the runtime runs one projection, processor or subscription: on the appending thread or on its
 * own, how often its state is saved (checkpoint and snapshot), whether past states are kept for
 * temporal queries, and what happens when a handler throws. Given per name with
 * {@code Rewind.builder().projectionSettings(name, settings)}, or for all with
 * {@code projectionDefaults(settings)}.
 *
 * <pre>{@code
 * ProjectionSettings.sync()                                       // the default for projections
 * ProjectionSettings.async()                                      // a thread of its own, snapshots
 *         .snapshotEvery(50_000, Duration.ofSeconds(30))
 *         .history(100_000, 50, 512L << 20)                        // a past state every 100,000 events, 50 kept
 *         .failurePolicy(FailurePolicy.retry(5, Duration.ofMillis(100), Duration.ofSeconds(5)).thenPark())
 * }</pre>
 *
 * @param mode {@link Mode#SYNC} (fed on the thread that appends, before {@code append} returns) or
 *     {@link Mode#ASYNC} (fed on a thread of the runtime, in batches; appends never wait for it)
 * @param batchSize how many events an asynchronous runner applies under one lock (queries wait at most
 *     one batch), 1 or more
 * @param linger how long a live asynchronous runner that finds only a few events (under a quarter of a
 *     batch), or finds the next one still being appended by this process, waits for more before it applies
 *     them: under many small appends it wakes once per {@code linger} instead of once per append, and takes
 *     that much lag ({@link Duration#ZERO}: it wakes for every append). A query that waits for a position
 *     ({@code atLeast}) ends the wait at once; catch-up never waits. Ignored by synchronous runners.
 * @param snapshotEveryEvents save the checkpoint and a snapshot of the state after this many events
 *     (0: no event trigger; with no time trigger either, the projection has no checkpoint and no snapshot at
 *     all and replays from position 0 at every start; with either trigger set it also saves at shutdown)
 * @param snapshotEveryTime ... or when this much time has passed since the last save, whichever comes
 *     first ({@link Duration#ZERO}: no time trigger). Either way a save waits until 19 times as long as the
 *     last one took has passed since it ended, so that saving a large state takes at most about 5% of the
 *     time (and of the disk the event log also needs) however fast events arrive
 * @param historyEveryEvents keep a snapshot of the past state every this many events, for temporal
 *     queries (0: none; they replay from position 0)
 * @param historyEveryTime ... or whenever this much recorded time has passed since the last one
 *     ({@link Duration#ZERO}: no time trigger)
 * @param historyMaxCount keep at most this many past states (the runtime thins them out evenly)
 * @param historyMaxBytes keep at most this many bytes of past states
 * @param failurePolicy what happens when a handler throws
 * @param placement {@link Placement#REPLICATED} (every instance runs it) or {@link Placement#OWNED} (one
 *     instance at a time, under a lease, when the store is shared by several processes)
 */
public record ProjectionSettings(Mode mode, int batchSize, Duration linger, long snapshotEveryEvents, Duration snapshotEveryTime,
                                 long historyEveryEvents, Duration historyEveryTime, int historyMaxCount,
                                 long historyMaxBytes, FailurePolicy failurePolicy, Placement placement) {

    /**
     * The linger of {@link #async()}: under 16 durable writers on two cores, three asynchronous projections
     * woken for every append took 20% of the append rate, woken every 1-3 ms 6-12% (BENCHMARKS.md, issue 15).
     */
    private static final Duration DEFAULT_LINGER = Duration.ofMillis(2);

    /** Where a runner is fed. */
    public enum Mode {
        /** On the thread that appends (and, for a query, on the querying thread): today's tutorial behaviour. */
        SYNC,
        /** On a thread of the runtime, catch-up then live, in batches. */
        ASYNC
    }

    /**
     * Where a runner runs when several instances share one store (a database). Without leases in the
     * store (in memory, files: one process) both run as {@link #REPLICATED}.
     */
    public enum Placement {
        /** Every instance runs its own copy, resumed from the shared checkpoint: the default. */
        REPLICATED,
        /**
         * One instance at a time processes it, holding its lease; the others serve its last shared
         * snapshot and say who owns it ({@code ProjectionStatus.owner}), and take over when the owner's
         * lease expires. Asynchronous runners only. Event processors are always owned.
         */
        OWNED
    }

    /**
     * Checks the values, naming the one that is wrong.
     *
     * @param mode {@link Mode#SYNC} (fed on the thread that appends, before {@code append} returns) or {@link Mode#ASYNC} (fed on a thread of the runtime, in batches; appends never wait for it)
     * @param batchSize how many events an asynchronous runner applies under one lock (queries wait at most one batch), 1 or more
     * @param linger how long a live asynchronous runner that finds under a quarter of a batch waits for more before it applies them ({@link Duration#ZERO}: it wakes for every append); ignored by synchronous runners
     * @param snapshotEveryEvents save the checkpoint and a snapshot of the state after this many events (0: no event trigger; with no time trigger either, the projection has no checkpoint and no snapshot at all and replays from position 0 at every start; with either trigger set it also saves at shutdown)
     * @param snapshotEveryTime ... or when this much time has passed since the last save, whichever comes first ({@link Duration#ZERO}: no time trigger)
     * @param historyEveryEvents keep a snapshot of the past state every this many events, for temporal queries (0: none; they replay from position 0)
     * @param historyEveryTime ... or whenever this much recorded time has passed since the last one ({@link Duration#ZERO}: no time trigger)
     * @param historyMaxCount keep at most this many past states (the runtime thins them out evenly)
     * @param historyMaxBytes keep at most this many bytes of past states
     * @param failurePolicy what happens when a handler throws
     * @param placement {@link Placement#REPLICATED} (every instance runs it) or {@link Placement#OWNED} (one instance at a time, under a lease); owned runners are asynchronous
     */
    public ProjectionSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(snapshotEveryTime, "snapshotEveryTime");
        Objects.requireNonNull(historyEveryTime, "historyEveryTime");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(placement, "placement");
        if (batchSize < 1) {
            throw new IllegalArgumentException("ProjectionSettings: batchSize must be 1 or more, was " + batchSize);
        }
        if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("ProjectionSettings: linger must be between zero and 1 s, was " + linger);
        }
        if (snapshotEveryEvents < 0 || historyEveryEvents < 0) {
            throw new IllegalArgumentException("ProjectionSettings: snapshotEveryEvents and historyEveryEvents must be"
                    + " 0 (never) or more, were " + snapshotEveryEvents + " and " + historyEveryEvents);
        }
        if (snapshotEveryTime.isNegative() || historyEveryTime.isNegative()) {
            throw new IllegalArgumentException("ProjectionSettings: snapshotEveryTime and historyEveryTime must be"
                    + " zero (no time trigger) or more, were " + snapshotEveryTime + " and " + historyEveryTime);
        }
        if (historyMaxCount < 1 || historyMaxBytes < 1) {
            throw new IllegalArgumentException("ProjectionSettings: historyMaxCount and historyMaxBytes must be 1 or"
                    + " more, were " + historyMaxCount + " and " + historyMaxBytes);
        }
        if (mode == Mode.SYNC && failurePolicy.waits()) {
            throw new IllegalArgumentException("ProjectionSettings: a synchronous runner is fed on the appending thread,"
                    + " so a failure policy that waits between attempts (" + failurePolicy + ") would stall every append:"
                    + " make it asynchronous (ProjectionSettings.async()) or retry without delay");
        }
        if (mode == Mode.SYNC && placement == Placement.OWNED) {
            throw new IllegalArgumentException("ProjectionSettings: a synchronous runner is fed on every appending"
                    + " instance, so it cannot be owned by one: make it asynchronous (ProjectionSettings.async().owned())");
        }
    }

    /**
     * The settings without a placement: {@link Placement#REPLICATED}.
     *
     * @param mode see the canonical constructor
     * @param batchSize see the canonical constructor
     * @param linger see the canonical constructor
     * @param snapshotEveryEvents see the canonical constructor
     * @param snapshotEveryTime see the canonical constructor
     * @param historyEveryEvents see the canonical constructor
     * @param historyEveryTime see the canonical constructor
     * @param historyMaxCount see the canonical constructor
     * @param historyMaxBytes see the canonical constructor
     * @param failurePolicy see the canonical constructor
     */
    public ProjectionSettings(Mode mode, int batchSize, Duration linger, long snapshotEveryEvents,
                              Duration snapshotEveryTime, long historyEveryEvents, Duration historyEveryTime,
                              int historyMaxCount, long historyMaxBytes, FailurePolicy failurePolicy) {
        this(mode, batchSize, linger, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents, historyEveryTime,
                historyMaxCount, historyMaxBytes, failurePolicy, Placement.REPLICATED);
    }

    /**
     * @return synchronous, no snapshots, no past states, {@link FailurePolicy#stop()}: a projection as the
     *     tutorials know it, replayed from position 0 at every start
     */
    public static ProjectionSettings sync() {
        return new ProjectionSettings(Mode.SYNC, 512, Duration.ZERO, 0, Duration.ZERO, 0, Duration.ZERO, 100, 1L << 30,
                FailurePolicy.stop());
    }

    /**
     * @return asynchronous, batches of 512, a linger of 2 ms, a checkpoint and snapshot every 50,000 events or
     *     30 seconds, no past states, {@link FailurePolicy#stop()}
     */
    public static ProjectionSettings async() {
        return new ProjectionSettings(Mode.ASYNC, 512, DEFAULT_LINGER, 50_000, Duration.ofSeconds(30), 0, Duration.ZERO, 100, 1L << 30,
                FailurePolicy.stop());
    }

    /**
     * @param events save after this many events (0: never)
     * @param time ... or after this long ({@link Duration#ZERO}: no time trigger)
     * @return these settings with that checkpoint and snapshot interval
     */
    public ProjectionSettings snapshotEvery(long events, Duration time) {
        return new ProjectionSettings(mode, batchSize, linger, events, time, historyEveryEvents, historyEveryTime,
                historyMaxCount, historyMaxBytes, failurePolicy, placement);
    }

    /** @return these settings without checkpoints and snapshots: the state is rebuilt from position 0 at start */
    public ProjectionSettings noSnapshots() {
        return snapshotEvery(0, Duration.ZERO);
    }

    /**
     * Keeps past states for temporal queries ({@code stateAt}, {@code stateAtPosition}): one every
     * {@code everyEvents} events, at most {@code maxCount} of them and {@code maxBytes} in all.
     *
     * @param everyEvents the interval in events
     * @param maxCount how many are kept at most
     * @param maxBytes how many bytes they take at most
     * @return these settings with that history
     */
    public ProjectionSettings history(long everyEvents, int maxCount, long maxBytes) {
        return new ProjectionSettings(mode, batchSize, linger, snapshotEveryEvents, snapshotEveryTime, everyEvents,
                historyEveryTime, maxCount, maxBytes, failurePolicy, placement);
    }

    /**
     * @param recordedTime keep a past state whenever the events applied since the last one span this much
     *     recorded time (in addition to the interval in events, if any)
     * @return these settings with that time interval for past states
     */
    public ProjectionSettings historyEvery(Duration recordedTime) {
        return new ProjectionSettings(mode, batchSize, linger, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents,
                recordedTime, historyMaxCount, historyMaxBytes, failurePolicy, placement);
    }

    /**
     * @param policy what happens when a handler throws
     * @return these settings with that policy
     */
    public ProjectionSettings failurePolicy(FailurePolicy policy) {
        return new ProjectionSettings(mode, batchSize, linger, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents,
                historyEveryTime, historyMaxCount, historyMaxBytes, policy, placement);
    }

    /**
     * @param events how many events an asynchronous runner applies under one lock
     * @return these settings with that batch size
     */
    public ProjectionSettings batchSize(int events) {
        return new ProjectionSettings(mode, events, linger, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents,
                historyEveryTime, historyMaxCount, historyMaxBytes, failurePolicy, placement);
    }

    /**
     * @param wait how long a live asynchronous runner that finds only a few events waits for more
     *     ({@link Duration#ZERO}: it wakes for every append), at most 1 s
     * @return these settings with that linger
     */
    public ProjectionSettings linger(Duration wait) {
        return new ProjectionSettings(mode, batchSize, wait, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents,
                historyEveryTime, historyMaxCount, historyMaxBytes, failurePolicy, placement);
    }

    /**
     * @param where {@link Placement#REPLICATED} or {@link Placement#OWNED}
     * @return these settings with that placement
     */
    public ProjectionSettings placement(Placement where) {
        return new ProjectionSettings(mode, batchSize, linger, snapshotEveryEvents, snapshotEveryTime, historyEveryEvents,
                historyEveryTime, historyMaxCount, historyMaxBytes, failurePolicy, where);
    }

    /**
     * @return these settings placed {@link Placement#OWNED}: one instance at a time processes the runner
     *     when several share a store with leases (PostgreSQL)
     */
    public ProjectionSettings owned() {
        return placement(Placement.OWNED);
    }

    /** @return whether the runner is placed {@link Placement#OWNED} */
    public boolean isOwned() {
        return placement == Placement.OWNED;
    }

    /** @return whether the runner is fed on a thread of its own */
    public boolean isAsync() {
        return mode == Mode.ASYNC;
    }

    /** @return whether the runner saves checkpoints and snapshots */
    public boolean snapshots() {
        return snapshotEveryEvents > 0 || !snapshotEveryTime.isZero();
    }

    /** @return whether the runner keeps past states */
    public boolean keepsHistory() {
        return historyEveryEvents > 0 || !historyEveryTime.isZero();
    }
}
